import type { RuleRef } from '../../desired/index.js';
import { jsonVisible, visible } from '../render/escape.js';
import { policyOf } from '../render/name-entry.js';
import type { MonitoredL7Verdict } from './l7-verdict-feed.js';
import type { MonitoredEvent } from './monitor.js';

const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp' };

/** `default/rule1` for a namespaced policy, `rule1` for a clusterwide one: as plans name it. */
export const policyName: (rule: RuleRef) => string = policyOf;

/**
 * One line per event, in the spirit of `cilium monitor`, with the policy that
 * decided; policy names and files come from the repository, so the line is made visible.
 */
export function eventText(m: MonitoredEvent): string {
  const e = m.event;
  const proto = PROTOCOLS[e.protocol] ?? `proto-${e.protocol}`;
  const ports = e.protocol === 6 || e.protocol === 17 || e.protocol === 132;
  const flow =
    e.protocol === 1
      ? `${e.saddr} -> ${e.daddr} icmp type ${e.dport}`
      : `${e.saddr}${ports ? `:${e.sport}` : ''} -> ${e.daddr}${ports ? `:${e.dport}` : ''} ${proto}`;
  const by = m.rule
    ? `policy ${policyName(m.rule)} (${m.rule.kind} ${m.rule.path}, ${m.rule.file}:${m.rule.line})`
    : e.reason === 'denied-default'
      ? `no rule allows it (default deny${enforcedBy(m)})`
      : 'no rule';
  return visible(
    `${m.time.toISOString()} ${e.type.toUpperCase()} ${e.reason} ${e.direction} endpoint ${e.endpointId} ` +
      `${flow} identity ${e.srcIdentity}->${e.dstIdentity}: ${by}`,
  );
}

function enforcedBy(m: MonitoredEvent): string {
  if (!m.enforcedBy?.length) return '';
  // Each policy once, at the line of its rule that selects the endpoint (where a reader goes to allow the flow).
  const first = new Map<string, RuleRef>();
  for (const r of m.enforcedBy) if (!first.has(policyName(r))) first.set(policyName(r), r);
  const named = [...first].sort(([a], [b]) => a.localeCompare(b));
  return `; ${m.event.direction} enforced by ${named.map(([n, r]) => `policy ${n} (${r.file}:${r.line})`).join(', ')}`;
}

/** The same event as one JSON object per line (bigints as decimal strings, terminal controls escaped). */
export function eventJson(m: MonitoredEvent): string {
  const e = m.event;
  return jsonVisible(
    JSON.stringify({
      time: m.time.toISOString(),
      ...e,
      timestampNs: e.timestampNs.toString(),
      policy: m.rule ? { ...m.rule, qualifiedName: policyName(m.rule) } : null,
      ...(m.enforcedBy ? { enforcedBy: m.enforcedBy.map((r) => ({ ...r, qualifiedName: policyName(r) })) } : {}),
    }),
  );
}

/**
 * One line per request the node's L7 proxy decided: method, path, status and
 * the HTTP rule that allowed it (policy, field path, file:line), or why not.
 */
export function l7VerdictText(m: MonitoredL7Verdict): string {
  const v = m.verdict;
  const r = v.rule;
  const by = r
    ? `policy ${r.namespace === null ? r.name : `${r.namespace}/${r.name}`} (${r.kind} ${r.path}, ${r.file}:${r.line})`
    : v.verdict === 'denied'
      ? 'no HTTP rule allows it'
      : (v.reason ?? 'no rule');
  const peer = v.identity === null ? 'unknown identity' : `identity ${v.identity}`;
  return visible(
    `${m.time.toISOString()} L7 ${v.verdict} ${v.direction} ${peer} ${v.method} ${v.path} -> ${v.status}: ${by}`,
  );
}

/** The same verdict as one JSON object per line, terminal controls escaped. */
export function l7VerdictJson(m: MonitoredL7Verdict): string {
  return jsonVisible(JSON.stringify({ time: m.time.toISOString(), type: 'l7', ...m.verdict }));
}
