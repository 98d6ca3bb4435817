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
  // Indexed loops: this runs over every item of every rule, where a for-of or map costs more per step while cold.
  const each: PolicyRefs[] = [];
  const keys: string[] = [];
  for (let p = 0; p < policies.length; p++) {
    const policy = policies[p]!;
    let found = store?.policyRefs.get(policy);
    if (!found) {
      found = policyRefs(policy);
      store?.policyRefs.set(policy, found);
    }
    each.push(found);
    for (let i = 0; i < found.keys.length; i++) keys.push(found.keys[i]!);
  }
  const ids = (store?.allocateIds ?? allocateRuleIds)(keys);
  const out: RuleRef[][][] = [];
  for (let p = 0; p < each.length; p++) {
    const { keys: own, rules, last } = each[p]!;
    const made: RuleRef[][] = [];
    let k = 0;
    for (let r = 0; r < rules.length; r++) {
      const items = rules[r]!;
      const kept = last?.[r];
      let same = kept !== undefined;
      for (let i = 0; same && i < items.length; i++) same = ids.get(own[k + i]!) === kept![i]!.id;
      if (same) made.push(kept!);
      else {
        const refs: RuleRef[] = [];
        for (let i = 0; i < items.length; i++) refs.push(withId(items[i]!, ids.get(own[k + i]!)!));
        made.push(refs);
      }
      k += items.length;
    }
    each[p]!.last = made;
    out.push(made);
  }
  return out;
}

function policyRefs(p: PolicyDeclaration): PolicyRefs {
  const keys: string[] = [];
  const rules: Omit<RuleRef, 'id'>[][] = [];
  for (let r = 0; r < p.rules.length; r++) {
    const rule = p.rules[r]!;
    const items: Omit<RuleRef, 'id'>[] = [];
    const lists = directionLists(rule.rule);
    for (let f = 0; f < DIRECTION_FIELDS.length; f++) {
      const field = DIRECTION_FIELDS[f]!;
      const length = lists[f]?.length ?? 0;
      for (let i = 0; i < length; i++) {
        const inRule = `${field}[${i}]`;
        const path = `${rule.path}.${inRule}`;
        const line = rule.itemLines?.[inRule] ?? rule.source.line;
        keys.push(refKey(p, path));
        items.push({ kind: p.kind, namespace: p.namespace, name: p.name, path, file: rule.source.file, line });
      }
    }
    rules.push(items);
  }
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
