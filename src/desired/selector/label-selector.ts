import type { LabelSelector } from '../schema/meta.js';
import { ANY_SOURCE, parseSelectorKey, type Label, type LabelMap } from './label.js';

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  readonly source: string;
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/** A label selector reduced to requirements that must all hold (Kubernetes semantics). */
export interface Selector {
  readonly requirements: readonly Requirement[];
  /** Canonical text, equal for selectors that select the same labels; used as a cache key. */
  readonly key: string;
}

export function selectorFrom(requirements: readonly Requirement[]): Selector {
  const sorted = [...requirements]
    .map((r) => ({ ...r, values: [...new Set(r.values)].sort() }))
    .sort((a, b) => cmp(requirementText(a), requirementText(b)));
  return { requirements: sorted, key: sorted.map(requirementText).join(',') };
}

export function parseSelector(selector: LabelSelector | null | undefined): Selector {
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
    reqs.push({ ...parseSelectorKey(k), operator: 'In', values: [v] });
  }
  for (const e of selector?.matchExpressions ?? []) {
    reqs.push({ ...parseSelectorKey(e.key), operator: e.operator, values: e.values ?? [] });
  }
  return selectorFrom(reqs);
}

export function withRequirement(selector: Selector, req: Requirement): Selector {
  return selectorFrom([...selector.requirements, req]);
}

/** Whether the selector names `key` (with any source), as Cilium's HasKey does. */
export function selectorHasKey(selector: Selector, key: string): boolean {
  return selector.requirements.some((r) => r.key === key);
}

export function selectorHasKeyPrefix(selector: Selector, prefix: string): boolean {
  return selector.requirements.some((r) => r.key.startsWith(prefix));
}

export function selectorHasSource(selector: Selector, source: string): boolean {
  return selector.requirements.some((r) => r.source === source);
}

function candidates(labels: LabelMap, req: Requirement): readonly Label[] {
  const list = labels.get(req.key) ?? [];
  return req.source === ANY_SOURCE ? list : list.filter((l) => l.source === req.source);
}

export function requirementMatches(req: Requirement, labels: LabelMap): boolean {
  const found = candidates(labels, req);
  switch (req.operator) {
    case 'In':
      return found.some((l) => req.values.includes(l.value));
    case 'NotIn':
      return !found.some((l) => req.values.includes(l.value));
    case 'Exists':
      return found.length > 0;
    case 'DoesNotExist':
      return found.length === 0;
  }
}

export function selectorMatches(selector: Selector, labels: LabelMap): boolean {
  return selector.requirements.every((r) => requirementMatches(r, labels));
}

function requirementText(r: Requirement): string {
  return `${r.source}:${r.key} ${r.operator} (${r.values.join('|')})`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
