import type { Direction, RuleRef } from '../../desired-state.js';
import { allocateCidrIdentities, cidrLabels, RESERVED_IDENTITIES } from '../../identity/index.js';
import type { PolicyDeclaration, PolicyRule } from '../../model.js';
import type { CidrRule, Entity, PortRule } from '../../schema/cilium-policy.js';
import { SelectorIndex, selectorHasKey } from '../../selector/index.js';
import type { ClusterView, IdentityInfo } from '../cluster-view.js';
import { formatCidr, parseCidr } from '../ipv4.js';
import { Warnings } from '../warnings.js';
import type { CompiledRule, DirectionRule, PortSpec } from './compiled-rule.js';
import { cidrSelection } from './cidr-selection.js';
import { icmpTypeNumber } from './icmp-types.js';
import { peerSelector, subjectSelector } from './policy-selectors.js';
import { itemWarnings, unsupportedPeers, type AnyPeerRule } from './item-warnings.js';
import { ANY_PORT, MAX_PORT, numericPort, portRangeBlocks } from './port-blocks.js';
import { hasPorts, PROTO_ICMP, protocolNumbers } from './protocols.js';
import type { IdentityIndex, RuleMemo } from './rule-memo.js';
import { DIRECTION_FIELDS, ruleRefs, type DirectionField } from './rule-refs.js';

/** Every policy of the model, with peers resolved against the cluster's identities. */
export interface PolicyProgram {
  readonly rules: readonly CompiledRule[];
  /** CIDR prefix → its node-local identity; 0.0.0.0/0 is `world` and not listed. */
  readonly cidrIdentities: ReadonlyMap<string, number>;
  /** Reserved, endpoint and CIDR identities, by id. */
  readonly identities: readonly IdentityInfo[];
  /** Some rule names 0.0.0.0/0, so the ipcache maps it to `world` explicitly. */
  readonly worldPrefixUsed: boolean;
}

const WORLD_PREFIX = '0.0.0.0/0';

export function compilePolicyRules(
  view: ClusterView,
  policies: readonly PolicyDeclaration[],
  warnings: Warnings,
  memo?: RuleMemo,
): PolicyProgram {
  const refs = ruleRefs(policies, memo);
  const cidrs = collectCidrs(policies, warnings);
  const allocated = allocateCidrIdentities(cidrs.prefixes);
  const cidrIdentities = memo ? memo.stableCidr(allocated) : allocated;
  const build = () => identityIndex(view, cidrIdentities);
  const { identities, index } = memo ? memo.identities(view, cidrIdentities, build) : build();
  const rules: CompiledRule[] = [];
  policies.forEach((policy, p) => {
    policy.rules.forEach((rule, r) => {
      const itemRefs = refs[p]![r]!;
      const earlier = memo?.get(policy, rule, view, cidrIdentities, itemRefs);
      if (earlier) {
        warnings.addAll(earlier.warnings);
        rules.push(earlier.compiled);
        return;
      }
      const own = new Warnings();
      const compiled = compileRule({ view, warnings: own, cidrIdentities, index }, policy, rule, itemRefs);
      warnings.addAll(own);
      memo?.set(rule, { view, cidr: cidrIdentities, compiled, warnings: own });
      rules.push(compiled);
    });
  });
  return { rules, cidrIdentities, identities, worldPrefixUsed: cidrs.world };
}

function identityIndex(view: ClusterView, cidrIdentities: ReadonlyMap<string, number>): IdentityIndex {
  const identities = [
    ...view.identities,
    ...[...cidrIdentities].map(([prefix, id]): IdentityInfo => ({ id, labels: cidrLabels(prefix), scope: 'cidr' })),
  ].sort((a, b) => a.id - b.id);
  return { identities, index: new SelectorIndex(identities, (i) => i.labels) };
}

interface Ctx {
  readonly view: ClusterView;
  readonly warnings: Warnings;
  readonly cidrIdentities: ReadonlyMap<string, number>;
  readonly index: SelectorIndex<IdentityInfo>;
}

function compileRule(ctx: Ctx, policy: PolicyDeclaration, pr: PolicyRule, refs: readonly RuleRef[]): CompiledRule {
  const r = pr.rule;
  let subject = null;
  if (r.endpointSelector) {
    const s = subjectSelector(policy, r.endpointSelector);
    if (s.ignoredNamespace) {
      warn(
        ctx,
        pr,
        `${pr.path}.endpointSelector`,
        'W_POLICY_NAMESPACE_IGNORED',
        `a ${policy.kind} applies in its own namespace "${policy.namespace}" only; the namespace in the selector is ignored`,
      );
    }
    subject = s.selector;
  } else if (r.nodeSelector) {
    warn(
      ctx,
      pr,
      `${pr.path}.nodeSelector`,
      'W_HOST_POLICY_UNSUPPORTED',
      'host policies (nodeSelector) are not enforced yet; this rule selects no endpoint',
    );
  } else {
    warn(
      ctx,
      pr,
      pr.path,
      'W_POLICY_SELECTS_NOTHING',
      'the rule has neither endpointSelector nor nodeSelector and selects nothing',
    );
  }
  let k = 0;
  for (const field of DIRECTION_FIELDS) {
    for (const item of r[field] ?? []) {
      itemWarnings(ctx.warnings, pr, refs[k++]!.path, item as AnyPeerRule, isIngress(field), field.endsWith('Deny'));
    }
  }
  // The items are built when a node holding an endpoint the rule selects first asks for them:
  // a one-node plan of a large cluster builds the items of that node's rules only.
  let items: readonly DirectionRule[] | undefined;
  const buildItems = (): DirectionRule[] => {
    const matchesInit = subject !== null && selectorHasKey(subject, 'init');
    const out: DirectionRule[] = [];
    let i = 0;
    for (const field of DIRECTION_FIELDS) {
      for (const item of r[field] ?? []) out.push(compileItem(ctx, policy, field, refs[i++]!, item, matchesInit));
    }
    return out;
  };
  const has = (f: DirectionField) => (r[f] ?? []).length > 0;
  return {
    policy,
    rule: pr,
    subject,
    refs,
    ingress: has('ingress') || has('ingressDeny'),
    egress: has('egress') || has('egressDeny'),
    defaultDenyIngress: r.enableDefaultDeny?.ingress ?? true,
    defaultDenyEgress: r.enableDefaultDeny?.egress ?? true,
    get items() {
      return (items ??= buildItems());
    },
  };
}

function isIngress(field: DirectionField): boolean {
  return field === 'ingress' || field === 'ingressDeny';
}

/** An item's peers and ports; its warnings are itemWarnings'. */
function compileItem(
  ctx: Ctx,
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

function entityIdentities(ctx: Ctx, e: Entity): number[] {
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

function collectCidrs(
  policies: readonly PolicyDeclaration[],
  warnings: Warnings,
): { prefixes: Set<string>; world: boolean } {
  const prefixes = new Set<string>();
  let world = false;
  const add = (text: string, pr: PolicyRule, path: string) => {
    const c = parseCidr(text);
    if (!c) {
      warnings.add(
        'W_CIDR_UNSUPPORTED',
        pr.source,
        path,
        `"${text}" is not an IPv4 CIDR (gitwire is IPv4 only); it selects nothing`,
      );
      return;
    }
    if (formatCidr(c) === WORLD_PREFIX) world = true;
    else prefixes.add(formatCidr(c));
  };
  for (const p of policies) {
    for (const pr of p.rules) {
      for (const field of DIRECTION_FIELDS) {
        (pr.rule[field] ?? []).forEach((raw, i) => {
          const item = raw as AnyPeerRule;
          const dir = isIngress(field) ? 'from' : 'to';
          const cidrs = (dir === 'from' ? item.fromCIDR : item.toCIDR) ?? [];
          const sets: CidrRule[] = (dir === 'from' ? item.fromCIDRSet : item.toCIDRSet) ?? [];
          if (cidrs.length + sets.length === 0) return;
          const base = `${pr.path}.${field}[${i}]`;
          cidrs.forEach((c, j) => add(c, pr, `${base}.${dir}CIDR[${j}]`));
          sets.forEach((s, j) => {
            if (s.cidr !== undefined) add(s.cidr, pr, `${base}.${dir}CIDRSet[${j}].cidr`);
            (s.except ?? []).forEach((e, k) => add(e, pr, `${base}.${dir}CIDRSet[${j}].except[${k}]`));
          });
        });
      }
    }
  }
  return { prefixes, world };
}

function warn(ctx: Ctx, pr: PolicyRule, path: string, code: string, message: string): void {
  ctx.warnings.add(code, pr.source, path, message);
}
