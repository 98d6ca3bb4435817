import { DRIVEN_KINDS, KINDS, type DrivenKind } from './kinds.js';

/**
 * Orders kinds so that each comes after every kind it depends on (Kahn's
 * topological sort; among kinds ready together, the first declared goes
 * first, so the order is stable). Throws on a cycle or an unknown dependency.
 * Deletes run in the reverse order: dependents go before what they need.
 */
export function applyOrder<K extends string>(
  kinds: readonly K[],
  specs: Readonly<Record<K, { readonly dependsOn: readonly string[] }>>,
): K[] {
  const pending = new Set(kinds);
  for (const k of kinds) {
    for (const d of specs[k].dependsOn) {
      if (!pending.has(d as K)) throw new Error(`kind ${k} depends on ${d}, which is not among the kinds ordered`);
    }
  }
  const order: K[] = [];
  while (pending.size > 0) {
    const next = kinds.find((k) => pending.has(k) && specs[k].dependsOn.every((d) => !pending.has(d as K)));
    if (next === undefined) throw new Error(`kinds depend on each other in a cycle: ${[...pending].join(', ')}`);
    pending.delete(next);
    order.push(next);
  }
  return order;
}

/** Creates and updates run in this order; deletes in DELETE_ORDER. */
export const APPLY_ORDER: readonly DrivenKind[] = applyOrder(DRIVEN_KINDS, KINDS);
export const DELETE_ORDER: readonly DrivenKind[] = [...APPLY_ORDER].reverse();
