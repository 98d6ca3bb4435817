import type { ChangeSet } from './change-set.js';

/** Nodes whose plans are the same: one plan shown, the other nodes named. */
export interface PlanGroup {
  readonly plan: ChangeSet;
  /** Other nodes with exactly this plan (same revisions, same changes), in input order. */
  readonly same: readonly string[];
}

/**
 * Groups plans that differ only in their node, in the order their first node
 * comes: a cluster-wide change usually leaves most nodes with one plan.
 */
export function groupPlans(sets: readonly ChangeSet[]): PlanGroup[] {
  const groups = new Map<string, { plan: ChangeSet; same: string[] }>();
  for (const set of sets) {
    const key = JSON.stringify([set.from, set.to, set.changes]);
    const group = groups.get(key);
    if (group) group.same.push(set.node);
    else groups.set(key, { plan: set, same: [] });
  }
  return [...groups.values()];
}

/** Node names with runs of consecutive numbers folded: `node-2 … node-40, node-45`. */
export function nodeRanges(names: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < names.length;) {
    let j = i;
    while (j + 1 < names.length && follows(names[j]!, names[j + 1]!)) j++;
    if (j - i >= 2) parts.push(`${names[i]} … ${names[j]}`);
    else parts.push(...names.slice(i, j + 1));
    i = j + 1;
  }
  return parts.join(', ');
}

/** `b` is `a` with its trailing number one higher (node-9, node-10). */
function follows(a: string, b: string): boolean {
  const ma = /^(.*?)(\d+)$/.exec(a);
  const mb = /^(.*?)(\d+)$/.exec(b);
  return !!ma && !!mb && ma[1] === mb[1] && Number(mb[2]) === Number(ma[2]) + 1;
}
