import type { Direction, RuleRef } from '../../desired-state.js';
import { RESERVED_IDENTITIES } from '../../identity/index.js';
import type { PolicyDeclaration, PolicyRule } from '../../model.js';
import type { EgressRule, Entity, IngressRule, PortRule } from '../../schema/cilium-policy.js';
import { selectorHasKey, type SelectorIndex, type Selector } from '../../selector/index.js';
import type { ClusterView, IdentityInfo } from '../cluster-view.js';
import type { CompiledRule, DirectionRule, PortSpec } from './compiled-rule.js';
import { cidrSelection } from './cidr-selection.js';
import { icmpTypeNumber } from './icmp-types.js';
import { unsupportedPeers, type AnyPeerRule } from './item-warnings.js';
import { peerSelector } from './policy-selectors.js';
import { ANY_PORT, MAX_PORT, numericPort, portRangeBlocks } from './port-blocks.js';
import { hasPorts, PROTO_ICMP, protocolNumbers } from './protocols.js';
import { DIRECTION_FIELDS, type DirectionField } from './rule-refs.js';

/** What a rule's items are resolved against: the cluster's identities and CIDR identities. */
export interface RuleContext {
  readonly view: ClusterView;
  readonly cidrIdentities: ReadonlyMap<string, number>;
  readonly index: SelectorIndex<IdentityInfo>;
}

/**
 * A compiled rule whose items are built when a node holding an endpoint the
 * rule selects first asks for them: a one-node plan of a large cluster builds
 * the items of that node's rules only. Their warnings are found beforehand
 * (itemWarnings). A class, not an object literal with a getter: thousands are
 * made per compile, and a literal with an accessor is several times slower to make.
 */
export class LazyRule implements CompiledRule {
  readonly ingress: boolean;
  readonly egress: boolean;
  readonly defaultDenyIngress: boolean;
  readonly defaultDenyEgress: boolean;
  readonly http: boolean;
  private built: readonly DirectionRule[] | undefined;

  constructor(
    private readonly ctx: RuleContext,
    readonly policy: PolicyDeclaration,
    readonly rule: PolicyRule,
    readonly subject: Selector | null,
    readonly refs: readonly RuleRef[],
  ) {
    const r = rule.rule;
    this.ingress = some(r.ingress) || some(r.ingressDeny);
    this.egress = some(r.egress) || some(r.egressDeny);
    this.defaultDenyIngress = r.enableDefaultDeny?.ingress ?? true;
    this.defaultDenyEgress = r.enableDefaultDeny?.egress ?? true;
    this.http = itemsHaveHttp(r.ingress) || itemsHaveHttp(r.egress);
  }

  get items(): readonly DirectionRule[] {
    return (this.built ??= this.build());
  }

  private build(): DirectionRule[] {
    const matchesInit = this.subject !== null && selectorHasKey(this.subject, 'init');
    const out: DirectionRule[] = [];
    let i = 0;
    for (const field of DIRECTION_FIELDS) {
      for (const item of this.rule.rule[field] ?? []) {
        out.push(compileItem(this.ctx, this.policy, field, this.refs[i++]!, item, matchesInit));
      }
    }
    return out;
  }
}

function itemsHaveHttp(items: readonly (IngressRule | EgressRule)[] | null | undefined): boolean {
  for (let i = 0; items && i < items.length; i++) {
    const ports = items[i]!.toPorts;
    for (let j = 0; ports && j < ports.length; j++) if ((ports[j]!.rules?.http ?? []).length > 0) return true;
  }
  return false;
}

function some(list: readonly unknown[] | null | undefined): boolean {
  return (list ?? []).length > 0;
}

export function isIngress(field: DirectionField): boolean {
  return field === 'ingress' || field === 'ingressDeny';
}

/** An item's peers and ports; its warnings are itemWarnings'. */
function compileItem(
  ctx: RuleContext,
  policy: PolicyDeclaration,
  field: DirectionField,
  ref: RuleRef,
  item: AnyPeerRule,
  matchesInit: boolean,
): DirectionRule {
  const direction: Direction = isIngress(field) ? 'ingress' : 'egress';
  const deny = field.endsWith('Deny');
  const selectors = (direction === 'ingress' ? item.fromEndpoints : item.toEndpoints) ?? [];
  const cidrs = (direction === 'ingress' ? item.fromCIDR : item.toCIDR) ?? [];
  const cidrSets = (direction === 'ingress' ? item.fromCIDRSet : item.toCIDRSet) ?? [];
  const entities = (direction === 'ingress' ? item.fromEntities : item.toEntities) ?? [];
  const unsupported = unsupportedPeers(item, direction === 'ingress');
  // No L3 field with ports means any peer on those ports; an empty item (`ingress: [{}]`)
  // only switches default deny on and allows nothing, as in Cilium.
  const noL3 = selectors.length + cidrs.length + cidrSets.length + entities.length + unsupported.length === 0;
  const anyPeer = noL3 && (item.toPorts ?? []).length + (item.icmps ?? []).length > 0;
  // Peers are resolved when a node holding an endpoint the rule selects first asks for them.
  let peers: readonly number[] | undefined;
  const resolvePeers = (): readonly number[] => {
    const ids = new Set<number>();
    if (anyPeer) ids.add(0);
    for (const sel of selectors) {
      for (const i of ctx.index.select(peerSelector(policy, sel, matchesInit))) ids.add(i.id);
    }
    for (const c of cidrs) for (const id of cidrSelection(ctx.cidrIdentities, c)) ids.add(id);
    for (const set of cidrSets) {
      if (set.cidr !== undefined) {
        for (const id of cidrSelection(ctx.cidrIdentities, set.cidr, set.except ?? [])) ids.add(id);
      }
    }
    for (const e of entities) for (const id of entityIdentities(ctx, e)) ids.add(id);
    return [...ids].sort((a, b) => a - b);
  };
  return {
    ref,
    direction,
    deny,
    get peers() {
      return (peers ??= resolvePeers());
    },
    ports: portSpecs(item, deny),
  };
}

function entityIdentities(ctx: RuleContext, e: Entity): number[] {
  const R = RESERVED_IDENTITIES;
  const cidr = [...ctx.cidrIdentities.values()];
  const global = ctx.view.identities.filter((i) => i.scope === 'global').map((i) => i.id);
  switch (e) {
    case 'all':
      return [0];
    case 'world':
      return [R.world, ...cidr];
    case 'cluster':
      // Cilium's cluster entity: the in-cluster reserved identities and every pod of this cluster.
      return [R.host, R['remote-node'], R.init, R.ingress, R.health, R.unmanaged, R['kube-apiserver'], ...global];
    case 'none':
    case 'cluster-mesh':
      return [];
    default:
      return [R[e]];
  }
}

function portSpecs(item: AnyPeerRule, deny: boolean): PortSpec[] {
  const toPorts = item.toPorts ?? [];
  const icmps = item.icmps ?? [];
  if (toPorts.length === 0 && icmps.length === 0) return [{ kind: 'any' }];
  const specs: PortSpec[] = [];
  for (const portRule of toPorts) specs.push(...portRuleSpecs(portRule, deny));
  for (const icmp of icmps) {
    for (const f of icmp.fields) {
      // An ICMPv6 field or an unknown type allows nothing (itemWarnings says so).
      const type = f.family === 'IPv6' ? null : icmpTypeNumber(f.type);
      if (type !== null)
        specs.push({ kind: 'blocks', protocol: PROTO_ICMP, blocks: [{ port: type, prefixLen: 16 }], l7: false });
    }
  }
  return specs;
}

function portRuleSpecs(rule: PortRule, deny: boolean): PortSpec[] {
  const l7 = (rule.rules?.http ?? []).length > 0 && !deny;
  const ports = rule.ports ?? [];
  if (ports.length === 0) return [{ kind: 'any' }];
  const specs: PortSpec[] = [];
  for (const pp of ports) {
    const protocols = protocolNumbers(pp.protocol);
    const numeric = numericPort(pp.port);
    if (numeric === null) {
      specs.push({ kind: 'named', name: String(pp.port), protocols, l7 });
      continue;
    }
    // Out of range allows nothing (itemWarnings says so).
    if (numeric > MAX_PORT) continue;
    const end = pp.endPort !== undefined && numeric !== 0 && pp.endPort > numeric ? pp.endPort : numeric;
    const blocks = numeric === 0 ? [ANY_PORT] : portRangeBlocks(numeric, end);
    for (const protocol of protocols) {
      specs.push({ kind: 'blocks', protocol, blocks: hasPorts(protocol) ? blocks : [ANY_PORT], l7 });
    }
  }
  return specs;
}
