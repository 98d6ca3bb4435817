// Labels as Cilium writes them: `source:key=value`. A selector key may carry a
// source prefix; `any` (or none) matches a label of any source.

export const ANY_SOURCE = 'any';

export interface Label {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/** Parses `k8s:org=empire`, `reserved:host` or `cidr:10.0.0.0/8` (no `=`: empty value). */
export function parseLabel(text: string): Label {
  const colon = text.indexOf(':');
  const source = colon < 0 ? ANY_SOURCE : text.slice(0, colon);
  const rest = colon < 0 ? text : text.slice(colon + 1);
  const eq = rest.indexOf('=');
  return eq < 0 ? { source, key: rest, value: '' } : { source, key: rest.slice(0, eq), value: rest.slice(eq + 1) };
}

export function formatLabel(label: Label): string {
  return label.value === '' ? `${label.source}:${label.key}` : `${label.source}:${label.key}=${label.value}`;
}

/** Splits a selector key into source and key; `$host` is Cilium's shorthand for `reserved:host`. */
export function parseSelectorKey(text: string): { source: string; key: string } {
  if (text.startsWith('$')) return { source: 'reserved', key: text.slice(1) };
  const colon = text.indexOf(':');
  return colon < 0 ? { source: ANY_SOURCE, key: text } : { source: text.slice(0, colon), key: text.slice(colon + 1) };
}

/** Labels grouped by key, for selector matching. */
export type LabelMap = ReadonlyMap<string, readonly Label[]>;

export function toLabelMap(labels: readonly string[]): LabelMap {
  const map = new Map<string, Label[]>();
  for (const text of labels) {
    const label = parseLabel(text);
    const list = map.get(label.key);
    if (list) list.push(label);
    else map.set(label.key, [label]);
  }
  return map;
}
