import type { Entry, IdentityValue, L7ProxyValue } from '../../desired-state.js';
import { l7ProxyKey } from '../../kinds/index.js';
import { proxyPort } from '../policy/proxy-port.js';
import type { L7RuleRef, L7RuleSet } from './l7-rule-set.js';

/**
 * The l7proxy kind's entries: each rule set with the port of its direction's
 * listener, labelled with the policies its rules come from, so a plan names
 * an L7 change by policy and file:line.
 */
export function compileL7Proxy(
  sets: readonly L7RuleSet[],
  identities: readonly Entry<IdentityValue>[],
): Entry<L7ProxyValue>[] {
  if (sets.length === 0) return [];
  const labels = new Map(identities.map((e) => [e.value.id, e.value.labels]));
  return sets.map((set) => {
    const value: L7ProxyValue = { ...set, proxyPort: proxyPort('http', set.direction) };
    return { key: l7ProxyKey(value), value, label: l7Label(value, labels.get(value.identity)) };
  });
}

/** `l7 ingress default/deathstar-1 :80 from 4242 (class=tiefighter,org=empire) rules of default/rule1 (policies/sw.yaml:15)`. */
function l7Label(v: L7ProxyValue, labels: readonly string[] | undefined): string {
  // The labels Cilium adds to every pod (io.kubernetes..., io.cilium...) tell no peer apart.
  const own = labels?.map((l) => l.replace(/^k8s:/, '')).filter((l) => !l.startsWith('io.'));
  const named = own?.length ? ` (${own.join(',')})` : '';
  const peer = v.identity === 0 ? 'any peer' : `${v.identity}${named}`;
  return `l7 ${v.direction} ${v.endpoint} ${portsOf(v)} from ${peer} rules of ${policiesOf(v.rules.map((r) => r.ref))}`;
}

function portsOf(v: Pick<L7RuleSet, 'port' | 'portPrefixLen'>): string {
  if (v.portPrefixLen === 0) return ':any';
  const span = 2 ** (16 - v.portPrefixLen);
  const first = v.port - (v.port % span);
  return span === 1 ? `:${first}` : `:${first}-${first + span - 1}`;
}

/** Each policy once, in rule order, with the file:line of its first rule here. */
function policiesOf(refs: readonly L7RuleRef[]): string {
  const seen = new Map<string, string>();
  for (const r of refs) {
    const name = r.namespace === null ? r.name : `${r.namespace}/${r.name}`;
    if (!seen.has(name)) seen.set(name, `${name} (${r.file}:${r.line})`);
  }
  return [...seen.values()].join(', ');
}
