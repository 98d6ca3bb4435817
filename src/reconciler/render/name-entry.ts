import type {
  BackendValue,
  IdentityValue,
  MaglevValue,
  PolicyValue,
  ResourceKind,
  ResourceValues,
  RevnatValue,
  RuleRef,
} from '../../desired/desired-state.js';
import type { Change } from '../change-set.js';
import type { RenderContext } from './render-context.js';

/** Names one entry of a kind as a reviewer reads it; `label` is the entry's own readable name, if any. */
export type EntryNamer<K extends ResourceKind> = (
  value: ResourceValues[K],
  ctx: RenderContext,
  label?: string,
) => string;

const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' };

/**
 * How a plan names the entries of the kinds whose key is a number or a tuple
 * of numbers. Kinds left out are named well by their key and label (a prefix,
 * an address, a device) and services by serviceLine.
 */
export const ENTRY_NAMES: { readonly [K in ResourceKind]?: EntryNamer<K> } = {
  policy: policyName,
  identity: (v: IdentityValue, ctx) => `identity ${v.id} ${ctx.identity(v.id, v.labels)}`,
  backend: (v: BackendValue) => `backend ${v.address}:${v.port}/${protocolName(v.protocol)} ${v.state}`,
  revnat: (v: RevnatValue, _ctx, label) => `revnat ${label ?? `#${v.index}`} ${v.address}:${v.port}`,
  maglev: (v: MaglevValue, _ctx, label) => `maglev ${label ?? '?'} (revnat ${v.revNatIndex}, ${v.tableSize} slots)`,
};

/** The readable name of a change's entry, or undefined when its kind is named by key and label. */
export function nameEntry(c: Change, ctx: RenderContext): string | undefined {
  const namer = ENTRY_NAMES[c.resource] as EntryNamer<ResourceKind> | undefined;
  const value = c.after ?? c.before;
  return namer && value ? namer(value, ctx, c.label) : undefined;
}

/**
 * `default/deathstar-1 ← default/tiefighter TCP/80 allow (default/rule1, policies/sw.yaml:15)`:
 * the arrow points the way the traffic goes, ingress into the endpoint, egress out of it.
 */
function policyName(v: PolicyValue, ctx: RenderContext, label?: string): string {
  const arrow = v.direction === 'ingress' ? '←' : '→';
  const verdict = v.verdict === 'redirect' ? `redirect to proxy port ${v.proxyPort}` : v.verdict;
  const rule = ctx.rule(v.ruleId);
  const by = rule ? `${policyOf(rule)}, ${rule.file}:${rule.line}` : (label ?? `rule ${v.ruleId}`);
  return `${ctx.endpoint(v.endpointId)} ${arrow} ${ctx.identity(v.identity)} ${portsName(v)} ${verdict} (${by})`;
}

/** `default/rule1` for a namespaced policy, `rule1` for a clusterwide one. */
export function policyOf(rule: RuleRef): string {
  return rule.namespace === null ? rule.name : `${rule.namespace}/${rule.name}`;
}

/** `TCP/80`, `TCP/8080-8095` for a port prefix, `TCP/any`, `ICMP type 8`, or `any port` of any protocol. */
export function portsName(v: Pick<PolicyValue, 'protocol' | 'port' | 'portPrefixLen'>): string {
  if (v.protocol === 0) return 'any port';
  const proto = protocolName(v.protocol);
  if (v.portPrefixLen === 0) return v.protocol === 1 || v.protocol === 58 ? proto : `${proto}/any`;
  if (v.protocol === 1 || v.protocol === 58) return `${proto} type ${v.port}`;
  const span = 2 ** (16 - v.portPrefixLen);
  const first = v.port - (v.port % span);
  return span === 1 ? `${proto}/${first}` : `${proto}/${first}-${first + span - 1}`;
}

function protocolName(p: number): string {
  return PROTOCOLS[p] ?? `proto-${p}`;
}
