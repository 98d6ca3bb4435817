import type { Entry, PolicyValue, Verdict } from '../../desired-state.js';
import { mergeSorted } from '../sorted-entries.js';
import { blockContains } from './port-blocks.js';

const RANK: Readonly<Record<Verdict, number>> = { allow: 1, redirect: 2, deny: 3 };

/**
 * Policy entries of one node. Identical keys merge (deny > redirect > allow,
 * then the lowest rule id); `entries()` drops every allow or redirect that a
 * deny of the same identity covers, because the datapath's longest-prefix
 * lookup would otherwise prefer the narrower allow.
 */
export class PolicyEntrySet {
  private readonly byKey = new Map<string, Entry<PolicyValue>>();

  /** Distinct keys so far, before deny-covered entries are dropped. */
  get size(): number {
    return this.byKey.size;
  }

  /** An entry keyed by policyKey(value); the winner is kept as given, so a compile cache can share it. */
  add(e: Entry<PolicyValue>): void {
    const old = this.byKey.get(e.key);
    if (!old || wins(e.value, old.value)) this.byKey.set(e.key, e);
  }

  /**
   * Sorted by key. An entry of `previous` (sorted, as this returned it for an
   * earlier compile) that was added again, the same object, keeps its place,
   * so a changed rule costs a sort of its own entries only.
   */
  entries(previous: readonly Entry<PolicyValue>[] = []): Entry<PolicyValue>[] {
    const denies = new Map<string, PolicyValue[]>();
    for (const { value } of this.byKey.values()) {
      if (value.verdict !== 'deny') continue;
      const g = group(value);
      const list = denies.get(g);
      if (list) list.push(value);
      else denies.set(g, [value]);
    }
    const kept = new Map<string, Entry<PolicyValue>>();
    for (const [key, e] of this.byKey) {
      const v = e.value;
      if (v.verdict !== 'deny' && denies.size > 0 && (denies.get(group(v)) ?? []).some((d) => covers(d, v))) continue;
      kept.set(key, e);
    }
    const same = previous.filter((e) => kept.get(e.key) === e && kept.delete(e.key));
    return mergeSorted(same, [...kept.values()].sort(byKey));
  }
}

const DIRECTION_RANK = { egress: 0, ingress: 1 } as const;

/**
 * The order of compareKeys on policyKey (`endpointId/direction/identity/protocol/port/prefixLen`, digit
 * runs as numbers), read from the numbers themselves: a node's thousands of entries sort several times faster.
 */
function byKey(x: Entry<PolicyValue>, y: Entry<PolicyValue>): number {
  const a = x.value;
  const b = y.value;
  return (
    a.endpointId - b.endpointId ||
    DIRECTION_RANK[a.direction] - DIRECTION_RANK[b.direction] ||
    a.identity - b.identity ||
    a.protocol - b.protocol ||
    a.port - b.port ||
    a.portPrefixLen - b.portPrefixLen
  );
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
