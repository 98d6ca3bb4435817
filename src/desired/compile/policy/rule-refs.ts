import type { RuleRef } from '../../desired-state.js';
import { allocateByHash } from '../../identity/index.js';
import type { PolicyDeclaration } from '../../model.js';

export const DIRECTION_FIELDS = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
export type DirectionField = (typeof DIRECTION_FIELDS)[number];

/**
 * One RuleRef per ingress/egress(-deny) item of every policy rule, with an id
 * hashed from kind/namespace/name/path so that it survives unrelated edits.
 */
export function ruleRefs(
  policies: readonly PolicyDeclaration[],
  allocate: (keys: readonly string[]) => ReadonlyMap<string, number> = allocateRuleIds,
): Map<string, RuleRef> {
  const pending: { key: string; ref: Omit<RuleRef, 'id'> }[] = [];
  for (const p of policies) {
    for (const r of p.rules) {
      for (const field of DIRECTION_FIELDS) {
        (r.rule[field] ?? []).forEach((_, i) => {
          const path = `${r.path}.${field}[${i}]`;
          const line = r.itemLines?.[`${field}[${i}]`] ?? r.source.line;
          pending.push({
            key: refKey(p, path),
            ref: { kind: p.kind, namespace: p.namespace, name: p.name, path, file: r.source.file, line },
          });
        });
      }
    }
  }
  const ids = allocate(pending.map((p) => p.key));
  return new Map(pending.map((p) => [p.key, { id: ids.get(p.key)!, ...p.ref }]));
}

export function allocateRuleIds(keys: readonly string[]): Map<string, number> {
  return allocateByHash(keys, { min: 1, max: 0xffff_ffff, space: 'policy rule ids' });
}

export function refKey(p: PolicyDeclaration, path: string): string {
  return `${p.kind}/${p.namespace ?? ''}/${p.name}/${path}`;
}
