import type { Entry, PolicyValue, Verdict } from '../../desired-state.js';
import { entry } from '../sorted-entries.js';
import { blockContains } from './port-blocks.js';

const RANK: Readonly<Record<Verdict, number>> = { allow: 1, redirect: 2, deny: 3 };

export function policyKey(v: PolicyValue): string {
  return `${v.endpointId}/${v.direction}/${v.identity}/${v.protocol}/${v.port}/${v.portPrefixLen}`;
}

/**
 * Policy entries of one node. Identical keys merge (deny > redirect > allow,
 * then the lowest rule id); `entries()` drops every allow or redirect that a
 * deny of the same identity covers, because the datapath's longest-prefix
 * lookup would otherwise prefer the narrower allow.
 */
export class PolicyEntrySet {
  private readonly byKey = new Map<string, { value: PolicyValue; label: string }>();

  /** Distinct keys so far, before deny-covered entries are dropped. */
  get size(): number {
    return this.byKey.size;
  }

  add(value: PolicyValue, label: string): void {
    const key = policyKey(value);
    const old = this.byKey.get(key);
    if (!old || wins(value, old.value)) this.byKey.set(key, { value, label });
  }

  entries(): Entry<PolicyValue>[] {
    const denies = new Map<string, PolicyValue[]>();
    for (const { value } of this.byKey.values()) {
      if (value.verdict !== 'deny') continue;
      const g = group(value);
      const list = denies.get(g);
      if (list) list.push(value);
      else denies.set(g, [value]);
    }
    const result: Entry<PolicyValue>[] = [];
    for (const [key, { value, label }] of this.byKey) {
      if (value.verdict !== 'deny' && (denies.get(group(value)) ?? []).some((d) => covers(d, value))) continue;
      result.push(entry(key, value, label));
    }
    return result;
  }
}

function wins(a: PolicyValue, b: PolicyValue): boolean {
  return RANK[a.verdict] > RANK[b.verdict] || (RANK[a.verdict] === RANK[b.verdict] && a.ruleId < b.ruleId);
}

function group(v: PolicyValue): string {
  return `${v.endpointId}/${v.direction}/${v.identity}`;
}

/** Whether deny `d` matches every packet entry `v` matches. */
function covers(d: PolicyValue, v: PolicyValue): boolean {
  if (d.protocol === 0) return true;
  if (d.protocol !== v.protocol) return false;
  return blockContains({ port: d.port, prefixLen: d.portPrefixLen }, { port: v.port, prefixLen: v.portPrefixLen });
}
