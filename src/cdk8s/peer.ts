import type { EgressRuleProps, EndpointSelectorProps, EntityName, IngressRuleProps } from './props.js';
import { Selector } from './selector.js';

type IngressPeerFields = Pick<
  IngressRuleProps,
  'fromEndpoints' | 'fromCIDR' | 'fromCIDRSet' | 'fromEntities' | 'fromNodes'
>;
type EgressPeerFields = Pick<EgressRuleProps, 'toEndpoints' | 'toCIDR' | 'toCIDRSet' | 'toEntities' | 'toNodes'>;

/**
 * Who is on the other side of a rule. One Peer reads the same in both
 * directions: `Peer.entities('world')` becomes `fromEntities` in an ingress
 * rule and `toEntities` in an egress rule.
 */
export class Peer {
  private constructor(
    readonly ingress: Readonly<IngressPeerFields>,
    readonly egress: Readonly<EgressPeerFields>,
  ) {}

  /** Endpoints matching any of the selectors. */
  static endpoints(...selectors: EndpointSelectorProps[]): Peer {
    return new Peer({ fromEndpoints: selectors }, { toEndpoints: selectors });
  }

  /** Endpoints carrying all these labels. */
  static labels(labels: Readonly<Record<string, string>>): Peer {
    return Peer.endpoints(Selector.labels(labels));
  }

  /** Cilium's entities: `world`, `cluster`, `host`, `kube-apiserver`... */
  static entities(...entities: EntityName[]): Peer {
    return new Peer({ fromEntities: entities }, { toEntities: entities });
  }

  /** Plain CIDR prefixes (`fromCIDR` / `toCIDR`). */
  static cidrs(...cidrs: string[]): Peer {
    return new Peer({ fromCIDR: cidrs }, { toCIDR: cidrs });
  }

  /** One prefix minus some of its subranges (`fromCIDRSet` / `toCIDRSet` with `except`). */
  static cidr(cidr: string, options: { except?: string[] } = {}): Peer {
    const set = [{ cidr, ...(options.except ? { except: options.except } : {}) }];
    return new Peer({ fromCIDRSet: set }, { toCIDRSet: set });
  }

  /** Nodes matching any of the selectors (`fromNodes` / `toNodes`). */
  static nodes(...selectors: EndpointSelectorProps[]): Peer {
    return new Peer({ fromNodes: selectors }, { toNodes: selectors });
  }

  /** No L3 restriction: the rule selects by port (or ICMP type) alone. */
  static any(): Peer {
    return new Peer({}, {});
  }
}
