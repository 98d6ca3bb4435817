import type { Entry } from '../desired-state.js';

/**
 * Orders keys with their digit runs compared as numbers: `2` before `10`,
 * `10.0.0.9/32` before `10.0.0.10/32`, `7/ingress/...` before `12/ingress/...`.
 */
export function compareKeys(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = x.replace(/^0+(?=\d)/, '');
      const ny = y.replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ta.length !== tb.length) return ta.length - tb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortEntries<V>(entries: Iterable<Entry<V>>): Entry<V>[] {
  return [...entries].sort((a, b) => compareKeys(a.key, b.key));
}

export function entry<V>(key: string, value: V, label?: string): Entry<V> {
  return label === undefined ? { key, value } : { key, value, label };
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
