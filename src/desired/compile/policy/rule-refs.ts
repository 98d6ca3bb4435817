import type { RuleRef } from '../../desired-state.js';
import { allocateByHash } from '../../identity/index.js';
import type { PolicyDeclaration } from '../../model.js';
import type { CiliumRule } from '../../schema/cilium-policy.js';

export const DIRECTION_FIELDS = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
export type DirectionField = (typeof DIRECTION_FIELDS)[number];

/**
 * A rule's item lists in DIRECTION_FIELDS order, read by name: a read by a
 * field name held in a variable costs several times more while compile's code is cold.
 */
export function directionLists(
  r: CiliumRule,
): readonly [readonly unknown[] | null | undefined, ...(readonly unknown[] | null | undefined)[]] {
  return [r.ingress, r.ingressDeny, r.egress, r.egressDeny];
}

/** A policy's item refs before ids are allocated: what depends on the declaration alone. */
export interface PolicyRefs {
  /** refKey of every item, rule after rule. */
  readonly keys: readonly string[];
  /** Each rule's item refs without ids. */
  readonly rules: readonly (readonly Omit<RuleRef, 'id'>[])[];
  /** The refs of the last build, kept for rules whose ids stay the same. */
  last?: RuleRef[][];
}

/** Where ruleRefs keeps each policy's refs between builds (a RuleMemo), by declaration. */
export interface RefStore {
  readonly policyRefs: WeakMap<PolicyDeclaration, PolicyRefs>;
  readonly allocateIds: (keys: readonly string[]) => ReadonlyMap<string, number>;
}

/**
 * One RuleRef per ingress/egress(-deny) item of every policy rule, with an id
 * hashed from kind/namespace/name/path so that it survives unrelated edits;
 * by policy and rule as the model lists them, each rule's in the order of
 * DIRECTION_FIELDS, then of the items. With a store, an unchanged policy's
 * rules get the very same lists as last time.
 */
export function ruleRefs(policies: readonly PolicyDeclaration[], store?: RefStore): RuleRef[][][] {
  const each = policies.map((p) => {
    let found = store?.policyRefs.get(p);
    if (!found) {
      found = policyRefs(p);
      store?.policyRefs.set(p, found);
    }
    return found;
  });
  const ids = (store?.allocateIds ?? allocateRuleIds)(each.flatMap((p) => p.keys));
  return each.map((p) => {
    let k = 0;
    const made = p.rules.map((items, r) => {
      const last = p.last?.[r];
      const same = last !== undefined && last.every((ref, i) => ids.get(p.keys[k + i]!) === ref.id);
      const refs = same ? last : items.map((item, i) => withId(item, ids.get(p.keys[k + i]!)!));
      k += items.length;
      return refs;
    });
    p.last = made;
    return made;
  });
}

function policyRefs(p: PolicyDeclaration): PolicyRefs {
  const keys: string[] = [];
  const rules = p.rules.map((r) => {
    const items: Omit<RuleRef, 'id'>[] = [];
    const lists = directionLists(r.rule);
    for (let f = 0; f < DIRECTION_FIELDS.length; f++) {
      const field = DIRECTION_FIELDS[f]!;
      const list = lists[f] ?? [];
      for (let i = 0; i < list.length; i++) {
        const inRule = `${field}[${i}]`;
        const path = `${r.path}.${inRule}`;
        const line = r.itemLines?.[inRule] ?? r.source.line;
        keys.push(refKey(p, path));
        items.push({ kind: p.kind, namespace: p.namespace, name: p.name, path, file: r.source.file, line });
      }
    }
    return items;
  });
  return { keys, rules };
}

function withId(ref: Omit<RuleRef, 'id'>, id: number): RuleRef {
  const { kind, namespace, name, path, file, line } = ref;
  return { id, kind, namespace, name, path, file, line };
}

export function allocateRuleIds(keys: readonly string[]): Map<string, number> {
  return allocateByHash(keys, { min: 1, max: 0xffff_ffff, space: 'policy rule ids' });
}

export function refKey(p: PolicyDeclaration, path: string): string {
  return `${p.kind}/${p.namespace ?? ''}/${p.name}/${path}`;
}
