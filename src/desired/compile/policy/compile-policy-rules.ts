import type { Direction, RuleRef } from '../../desired-state.js';
import { allocateCidrIdentities, cidrLabels, RESERVED_IDENTITIES } from '../../identity/index.js';
import type { PolicyDeclaration, PolicyRule } from '../../model.js';
import type { CidrRule, Entity, IngressRule, PortRule } from '../../schema/cilium-policy.js';
import { SelectorIndex, selectorHasKey } from '../../selector/index.js';
import type { ClusterView, IdentityInfo } from '../cluster-view.js';
import { formatCidr, parseCidr } from '../ipv4.js';
import { Warnings } from '../warnings.js';
import type { CompiledRule, DirectionRule, PortSpec } from './compiled-rule.js';
import { cidrSelection } from './cidr-selection.js';
import { icmpTypeNumber } from './icmp-types.js';
import { peerSelector, subjectSelector } from './policy-selectors.js';
import { ANY_PORT, portRangeBlocks } from './port-blocks.js';
import { hasPorts, PROTO_ICMP, protocolNumbers } from './protocols.js';
import type { IdentityIndex, RuleMemo } from './rule-memo.js';
import { DIRECTION_FIELDS, refKey, ruleRefs, type DirectionField } from './rule-refs.js';

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

type AnyPeerRule = IngressRule & {
  toEndpoints?: IngressRule['fromEndpoints'];
  toCIDR?: IngressRule['fromCIDR'];
  toCIDRSet?: IngressRule['fromCIDRSet'];
  toEntities?: IngressRule['fromEntities'];
  toRequires?: unknown[] | null;
  toGroups?: unknown[] | null;
  toNodes?: unknown[] | null;
  toServices?: unknown[] | null;
  toFQDNs?: unknown[] | null;
};

// Peer fields gitwire parses but cannot enforce: a rule naming one of them is
// not a wildcard, it simply selects no peer through that field.
const UNSUPPORTED_PEERS = [
  'fromRequires',
  'fromGroups',
  'fromNodes',
  'toRequires',
  'toGroups',
  'toNodes',
  'toServices',
  'toFQDNs',
] as const;

export function compilePolicyRules(
  view: ClusterView,
  policies: readonly PolicyDeclaration[],
  warnings: Warnings,
  memo?: RuleMemo,
): PolicyProgram {
  const refs = ruleRefs(policies, memo?.allocateIds);
  const cidrs = collectCidrs(policies, warnings);
  const allocated = allocateCidrIdentities(cidrs.prefixes);
  const cidrIdentities = memo ? memo.stableCidr(allocated) : allocated;
  const build = () => identityIndex(view, cidrIdentities);
  const { identities, index } = memo ? memo.identities(view, cidrIdentities, build) : build();
  const rules: CompiledRule[] = [];
  for (const policy of policies) {
    for (const rule of policy.rules) {
      const earlier = memo?.get(policy, rule, view, cidrIdentities, refs);
      if (earlier) {
        warnings.addAll(earlier.warnings);
        rules.push(earlier.compiled);
        continue;
      }
      const own = new Warnings();
      const compiled = compileRule({ view, warnings: own, refs, cidrIdentities, index }, policy, rule);
      warnings.addAll(own);
      memo?.set(rule, { view, cidr: cidrIdentities, compiled, warnings: own });
      rules.push(compiled);
    }
  }
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
  readonly refs: ReadonlyMap<string, RuleRef>;
  readonly cidrIdentities: ReadonlyMap<string, number>;
  readonly index: SelectorIndex<IdentityInfo>;
}

function compileRule(ctx: Ctx, policy: PolicyDeclaration, pr: PolicyRule): CompiledRule {
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
  const matchesInit = subject !== null && selectorHasKey(subject, 'init');
  const items: DirectionRule[] = [];
  for (const field of DIRECTION_FIELDS) {
    (r[field] ?? []).forEach((item, i) => {
      const path = `${pr.path}.${field}[${i}]`;
      items.push(compileItem(ctx, policy, pr, field, path, item as AnyPeerRule, matchesInit));
    });
  }
  const has = (f: DirectionField) => (r[f] ?? []).length > 0;
  return {
    policy,
    rule: pr,
    subject,
    ingress: has('ingress') || has('ingressDeny'),
    egress: has('egress') || has('egressDeny'),
    defaultDenyIngress: r.enableDefaultDeny?.ingress ?? true,
    defaultDenyEgress: r.enableDefaultDeny?.egress ?? true,
    items,
  };
}

function compileItem(
  ctx: Ctx,
  policy: PolicyDeclaration,
  pr: PolicyRule,
  field: DirectionField,
  path: string,
  item: AnyPeerRule,
  matchesInit: boolean,
): DirectionRule {
  const direction: Direction = field.startsWith('ingress') ? 'ingress' : 'egress';
  const deny = field.endsWith('Deny');
  const from = direction === 'ingress' ? 'from' : 'to';
  const selectors = (direction === 'ingress' ? item.fromEndpoints : item.toEndpoints) ?? [];
  const cidrs = (direction === 'ingress' ? item.fromCIDR : item.toCIDR) ?? [];
  const cidrSets = (direction === 'ingress' ? item.fromCIDRSet : item.toCIDRSet) ?? [];
  const entities = (direction === 'ingress' ? item.fromEntities : item.toEntities) ?? [];
  const unsupported = UNSUPPORTED_PEERS.filter((f) => f.startsWith(from) && (item[f] ?? []).length > 0);
  for (const f of unsupported) {
    warn(ctx, pr, `${path}.${f}`, 'W_UNSUPPORTED_FIELD', `${f} is not enforced yet; it selects no peer`);
  }
  if (item.authentication && item.authentication.mode !== 'disabled') {
    warn(ctx, pr, `${path}.authentication`, 'W_UNSUPPORTED_FIELD', 'mutual authentication is not enforced yet');
  }

  cidrSets.forEach((set, i) => {
    if (set.cidrGroupRef !== undefined || set.cidrGroupSelector !== undefined) {
      warn(
        ctx,
        pr,
        `${path}.${from}CIDRSet[${i}]`,
        'W_UNSUPPORTED_FIELD',
        'CIDR groups are not supported yet; they select no peer',
      );
    }
  });
  for (const e of entities) {
    if (e !== 'cluster-mesh') continue;
    warn(
      ctx,
      pr,
      `${path}.${from}Entities`,
      'W_UNSUPPORTED_FIELD',
      'entity cluster-mesh is not supported; it selects no peer',
    );
  }
  // No L3 field with ports means any peer on those ports; an empty item (`ingress: [{}]`)
  // only switches default deny on and allows nothing, as in Cilium.
  const noL3 = selectors.length + cidrs.length + cidrSets.length + entities.length + unsupported.length === 0;
  const anyPeer = noL3 && (item.toPorts ?? []).length + (item.icmps ?? []).length > 0;
  // Peers are resolved when a node holding an endpoint the rule selects first asks for them:
  // a one-node plan of a large cluster resolves the peers of that node's rules only.
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
    ref: ctx.refs.get(refKey(policy, path))!,
    direction,
    deny,
    get peers() {
      return (peers ??= resolvePeers());
    },
    ports: portSpecs(ctx, pr, path, item, deny),
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

function portSpecs(ctx: Ctx, pr: PolicyRule, path: string, item: AnyPeerRule, deny: boolean): PortSpec[] {
  const toPorts = item.toPorts ?? [];
  const icmps = item.icmps ?? [];
  if (toPorts.length === 0 && icmps.length === 0) return [{ kind: 'any' }];
  const specs: PortSpec[] = [];
  toPorts.forEach((portRule, i) => specs.push(...portRuleSpecs(ctx, pr, `${path}.toPorts[${i}]`, portRule, deny)));
  icmps.forEach((icmp, i) =>
    icmp.fields.forEach((f, j) => {
      const where = `${path}.icmps[${i}].fields[${j}]`;
      if (f.family === 'IPv6') {
        warn(
          ctx,
          pr,
          where,
          'W_ICMPV6_UNSUPPORTED',
          'ICMPv6 is not supported (gitwire is IPv4 only); the field allows nothing',
        );
        return;
      }
      const type = icmpTypeNumber(f.type);
      if (type === null) {
        warn(
          ctx,
          pr,
          `${where}.type`,
          'W_ICMP_TYPE_UNKNOWN',
          `unknown ICMP type "${f.type}"; the field allows nothing`,
        );
        return;
      }
      specs.push({ kind: 'blocks', protocol: PROTO_ICMP, blocks: [{ port: type, prefixLen: 16 }], l7: false });
    }),
  );
  return specs;
}

function portRuleSpecs(ctx: Ctx, pr: PolicyRule, path: string, rule: PortRule, deny: boolean): PortSpec[] {
  const l7 = (rule.rules?.http ?? []).length > 0 && !deny;
  if (deny && rule.rules)
    warn(ctx, pr, `${path}.rules`, 'W_UNSUPPORTED_FIELD', 'L7 rules do not apply to deny rules; ignored');
  for (const f of ['dns', 'kafka', 'l7'] as const) {
    if ((rule.rules?.[f] ?? []).length > 0)
      warn(
        ctx,
        pr,
        `${path}.rules.${f}`,
        'W_UNSUPPORTED_FIELD',
        `L7 ${f} rules are not enforced yet; the ports are allowed at L4`,
      );
  }
  if (rule.rules?.l7proto)
    warn(
      ctx,
      pr,
      `${path}.rules.l7proto`,
      'W_UNSUPPORTED_FIELD',
      'l7proto is not enforced yet; the ports are allowed at L4',
    );
  for (const f of ['serverNames', 'listener', 'originatingTLS', 'terminatingTLS'] as const) {
    if (rule[f]) warn(ctx, pr, `${path}.${f}`, 'W_UNSUPPORTED_FIELD', `${f} is not enforced yet`);
  }
  const ports = rule.ports ?? [];
  if (ports.length === 0) return [{ kind: 'any' }];
  const specs: PortSpec[] = [];
  ports.forEach((pp, i) => {
    const protocols = protocolNumbers(pp.protocol);
    const port = pp.port === undefined || pp.port === '' ? 0 : pp.port;
    const numeric = typeof port === 'number' ? port : /^\d+$/.test(port) ? Number(port) : null;
    if (numeric === null) {
      specs.push({ kind: 'named', name: String(port), protocols, l7 });
      return;
    }
    if (numeric > 65_535) {
      warn(
        ctx,
        pr,
        `${path}.ports[${i}].port`,
        'W_PORT_OUT_OF_RANGE',
        `port ${numeric} is out of range; allows nothing`,
      );
      return;
    }
    const end = pp.endPort !== undefined && numeric !== 0 && pp.endPort > numeric ? pp.endPort : numeric;
    const blocks = numeric === 0 ? [ANY_PORT] : portRangeBlocks(numeric, end);
    for (const protocol of protocols) {
      specs.push({ kind: 'blocks', protocol, blocks: hasPorts(protocol) ? blocks : [ANY_PORT], l7 });
    }
  });
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
          const base = `${pr.path}.${field}[${i}]`;
          const dir = field.startsWith('ingress') ? 'from' : 'to';
          const cidrs = (dir === 'from' ? item.fromCIDR : item.toCIDR) ?? [];
          const sets: CidrRule[] = (dir === 'from' ? item.fromCIDRSet : item.toCIDRSet) ?? [];
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
