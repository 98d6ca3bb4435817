import { ApiObject, Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { inAuthorOrder } from './in-author-order.js';
import { ConstructError } from '../construct-error.js';
import type { Peer } from '../peer.js';
import { PolicyRule, type Traffic } from '../policy-rule.js';
import type { CiliumRuleProps, ObjectMetaProps, PolicyDocumentExtras } from '../props.js';

export type CiliumPolicyProps = PolicyDocumentExtras & {
  readonly metadata?: ObjectMetaProps;
  /** The policy's single rule; the fluent methods of the construct add to it. */
  readonly spec?: CiliumRuleProps | PolicyRule;
  /** Several rules in one document. */
  readonly specs?: readonly (CiliumRuleProps | PolicyRule)[];
};

const toRule = (r: CiliumRuleProps | PolicyRule): PolicyRule => (r instanceof PolicyRule ? r : new PolicyRule(r));

/** What CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy share: the same document, different scope. */
export abstract class CiliumPolicyObject extends ApiObject {
  private readonly spec: PolicyRule | undefined;

  protected constructor(scope: Construct, id: string, kind: string, props: CiliumPolicyProps) {
    const { metadata, spec, specs, ...extras } = props;
    const rules = specs?.map(toRule);
    const single = spec !== undefined || specs === undefined ? toRule(spec ?? {}) : undefined;
    // Rules are read when the document is rendered, so fluent calls after construction still count.
    super(scope, id, {
      apiVersion: 'cilium.io/v2',
      kind,
      ...(metadata ? { metadata } : {}),
      ...extras,
      spec: Lazy.any({ produce: () => single?.toJson() }),
      specs: Lazy.any({ produce: () => rules?.map((r) => r.toJson()) }),
    });
    this.spec = single;
  }

  override toJson(): unknown {
    return inAuthorOrder(() => super.toJson());
  }

  /** Allows traffic from the peer into the selected endpoints (an `ingress` entry of `spec`). */
  allowFrom(peer: Peer, ...traffic: Traffic[]): this {
    this.rule('allowFrom').allowFrom(peer, ...traffic);
    return this;
  }

  /** Allows traffic from the selected endpoints to the peer (an `egress` entry of `spec`). */
  allowTo(peer: Peer, ...traffic: Traffic[]): this {
    this.rule('allowTo').allowTo(peer, ...traffic);
    return this;
  }

  /** Denies traffic from the peer, whatever else allows it (an `ingressDeny` entry of `spec`). */
  denyFrom(peer: Peer, ...traffic: Traffic[]): this {
    this.rule('denyFrom').denyFrom(peer, ...traffic);
    return this;
  }

  /** Denies traffic to the peer, whatever else allows it (an `egressDeny` entry of `spec`). */
  denyTo(peer: Peer, ...traffic: Traffic[]): this {
    this.rule('denyTo').denyTo(peer, ...traffic);
    return this;
  }

  private rule(method: string): PolicyRule {
    if (this.spec) return this.spec;
    throw new ConstructError(
      this.node.path,
      `${method}() adds to "spec", but this policy has "specs": build each rule with PolicyRule instead`,
    );
  }
}
