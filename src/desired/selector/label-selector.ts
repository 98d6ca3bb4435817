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
  // Each requirement's text is made once; a selector has a few requirements, put in place by insertion
  // (stable, as a sort by text is), without the callbacks a sort makes while this code is cold.
  const sorted: Requirement[] = [];
  const texts: string[] = [];
  for (let i = 0; i < requirements.length; i++) {
    const r = requirements[i]!;
    const values = r.values.length < 2 ? r.values.slice() : [...new Set(r.values)].sort();
    const req: Requirement = { source: r.source, key: r.key, operator: r.operator, values };
    const text = requirementText(req);
    let j = texts.length;
    sorted.push(req);
    texts.push(text);
    for (; j > 0 && texts[j - 1]! > text; j--) {
      sorted[j] = sorted[j - 1]!;
      texts[j] = texts[j - 1]!;
    }
    sorted[j] = req;
    texts[j] = text;
  }
  return { requirements: sorted, key: texts.join(',') };
}

export function parseSelector(selector: LabelSelector | null | undefined): Selector {
  return selectorFrom(selectorRequirements(selector));
}

/** A label selector's requirements as written: in no particular order, values not yet deduplicated. */
export function selectorRequirements(selector: LabelSelector | null | undefined): Requirement[] {
  const reqs: Requirement[] = [];
  const labels = selector?.matchLabels;
  if (labels) {
    for (const k of Object.keys(labels)) {
      const { source, key } = parseSelectorKey(k);
      reqs.push({ source, key, operator: 'In', values: [labels[k]!] });
    }
  }
  for (const e of selector?.matchExpressions ?? []) {
    const { source, key } = parseSelectorKey(e.key);
    reqs.push({ source, key, operator: e.operator, values: e.values ?? [] });
  }
  return reqs;
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
