import type { Diagnostic, SourceLocation } from './diagnostics.js';
import type { CiliumRule } from './schema/cilium-policy.js';
import type { ClusterSpec, EndpointSpec, NodeSpec, ServiceSpec } from './schema/gitwire-kinds.js';
import type { HealthCheckSpec } from './schema/health-check.js';

/** One validated declaration with its origin, so later stages can point back at file:line. */
export interface Declared<S> {
  readonly kind: string;
  readonly name: string;
  /** Namespace for namespaced kinds (defaulted to "default"); null for cluster-scoped ones. */
  readonly namespace: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: S;
  readonly source: SourceLocation;
}

export type PolicyKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';

/** A rule of a policy document: its `spec`, or one entry of its `specs`. */
export interface PolicyRule {
  readonly rule: CiliumRule;
  /** Field path of the rule inside its document: `spec` or `specs[2]`. */
  readonly path: string;
  readonly source: SourceLocation;
  /** Line of each ingress/egress(-deny) item, by its path in the rule (`ingress[0]`), so plans point at the item. */
  readonly itemLines?: Readonly<Record<string, number>>;
}

export interface PolicyDeclaration {
  readonly kind: PolicyKind;
  readonly name: string;
  /** Namespace of a CiliumNetworkPolicy (defaulted to "default"); null for clusterwide policies. */
  readonly namespace: string | null;
  readonly rules: readonly PolicyRule[];
  readonly source: SourceLocation;
}

/** The validated configuration of one commit: every declaration, in a stable order. */
export interface Model {
  readonly revision: string | null;
  readonly cluster: Declared<ClusterSpec> | null;
  readonly nodes: readonly Declared<NodeSpec>[];
  readonly endpoints: readonly Declared<EndpointSpec>[];
  readonly services: readonly Declared<ServiceSpec>[];
  readonly policies: readonly PolicyDeclaration[];
  /** Probes agents run after applying a revision; absent from models built by hand (tests). */
  readonly healthChecks?: readonly Declared<HealthCheckSpec>[];
  /** Warnings found while validating; errors never reach a Model. */
  readonly warnings: readonly Diagnostic[];
}
