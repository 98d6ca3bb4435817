import { Icmp } from './icmp.js';
import type { Peer } from './peer.js';
import { Port } from './port.js';
import type { CiliumRuleProps, EndpointSelectorProps, IcmpFieldProps, PortRuleProps } from './props.js';

/** What a rule lets through besides its peer: ports (with optional HTTP rules) and ICMP types. */
export type Traffic = Port | Icmp;

interface TrafficFields {
  toPorts?: PortRuleProps[];
  icmps?: { fields: IcmpFieldProps[] }[];
}

function trafficFields(traffic: readonly Traffic[]): TrafficFields {
  const ports = traffic.filter((t): t is Port => t instanceof Port);
  const icmps = traffic.filter((t): t is Icmp => t instanceof Icmp).map((t) => t.field);
  return {
    ...(ports.length > 0 ? { toPorts: Port.toPortRules(ports) } : {}),
    ...(icmps.length > 0 ? { icmps: [{ fields: icmps }] } : {}),
  };
}

/**
 * One Cilium rule (a policy's `spec`, or one entry of its `specs`), built from
 * plain props and grown with the fluent helpers; each helper appends one entry
 * to ingress, egress, ingressDeny or egressDeny.
 */
export class PolicyRule {
  private readonly rule: CiliumRuleProps;

  constructor(props: CiliumRuleProps = {}) {
    this.rule = { ...props };
  }

  /** A rule for the endpoints the selector matches. */
  static selecting(
    endpointSelector: EndpointSelectorProps,
    props: Omit<CiliumRuleProps, 'endpointSelector'> = {},
  ): PolicyRule {
    return new PolicyRule({ endpointSelector, ...props });
  }

  allowFrom(peer: Peer, ...traffic: Traffic[]): this {
    this.rule.ingress = [...(this.rule.ingress ?? []), { ...peer.ingress, ...trafficFields(traffic) }];
    return this;
  }

  allowTo(peer: Peer, ...traffic: Traffic[]): this {
    this.rule.egress = [...(this.rule.egress ?? []), { ...peer.egress, ...trafficFields(traffic) }];
    return this;
  }

  denyFrom(peer: Peer, ...traffic: Traffic[]): this {
    this.rule.ingressDeny = [...(this.rule.ingressDeny ?? []), { ...peer.ingress, ...trafficFields(traffic) }];
    return this;
  }

  denyTo(peer: Peer, ...traffic: Traffic[]): this {
    this.rule.egressDeny = [...(this.rule.egressDeny ?? []), { ...peer.egress, ...trafficFields(traffic) }];
    return this;
  }

  /** The rule as plain data, ready for YAML. */
  toJson(): CiliumRuleProps {
    return structuredClone(this.rule);
  }
}
