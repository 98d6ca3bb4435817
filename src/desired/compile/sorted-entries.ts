import type { Entry } from '../desired-state.js';
import { parseIpv4 } from './ipv4.js';

/**
 * Orders keys with their digit runs compared as numbers: `2` before `10`,
 * `10.0.0.9/32` before `10.0.0.10/32`, `7/ingress/...` before `12/ingress/...`.
 */
export function compareKeys(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      const ei = digitsEnd(a, i);
      const ej = digitsEnd(b, j);
      // Skip leading zeros, then the longer run is the larger number.
      let si = i;
      let sj = j;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      if (ei - si !== ej - sj) return ei - si - (ej - sj);
      for (; si < ei; si++, sj++) {
        const d = a.charCodeAt(si) - b.charCodeAt(sj);
        if (d !== 0) return d;
      }
      i = ei;
      j = ej;
    } else {
      if (ca !== cb) return ca - cb;
      i++;
      j++;
    }
  }
  if (a.length - i !== b.length - j) return a.length - i - (b.length - j);
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function digitsEnd(s: string, from: number): number {
  let k = from;
  while (k < s.length && isDigit(s.charCodeAt(k))) k++;
  return k;
}

export function sortEntries<V>(entries: Iterable<Entry<V>>): Entry<V>[] {
  return [...entries].sort((a, b) => compareKeys(a.key, b.key));
}

/**
 * Entries keyed by IPv4 addresses or prefixes (`a.b.c.d` or `a.b.c.d/len`),
 * sorted as sortEntries sorts them: address order is their key order, so a
 * node's thousands of ipcache, route and lxc entries are ordered by number
 * with the typed array's own sort, not by comparing key text. A key of any
 * other form, or two keys for one number (`10.0.0.01`), leave it to sortEntries.
 */
export function sortByAddress<V>(entries: readonly Entry<V>[]): Entry<V>[] {
  const byNumber = new Map<number, Entry<V>>();
  const numbers = new Float64Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const n = addressNumber(e.key);
    if (n < 0 || byNumber.has(n)) return sortEntries(entries);
    byNumber.set(n, e);
    numbers[i] = n;
  }
  numbers.sort();
  const sorted: Entry<V>[] = [];
  for (let i = 0; i < numbers.length; i++) sorted.push(byNumber.get(numbers[i]!)!);
  return sorted;
}

/**
 * The address times 64, plus 0 for a bare address or 1 + len for a prefix
 * (compareKeys puts `a.b.c.d` before `a.b.c.d/0`); -1 for any other key.
 */
function addressNumber(key: string): number {
  const slash = key.indexOf('/');
  const address = parseIpv4(slash < 0 ? key : key.slice(0, slash));
  if (address === null) return -1;
  if (slash < 0) return address * 64;
  const len = key.slice(slash + 1);
  // Digits only: Number() would read `0x10` or ` 8` too, which compareKeys orders otherwise.
  if (!/^\d{1,2}$/.test(len) || Number(len) > 32) return -1;
  return address * 64 + 1 + Number(len);
}

/**
 * Two lists sorted by key as one; an entry whose key is in both (a backend two
 * lists use) is kept once, from `a`. Each entry of `b` finds its place by
 * binary search, so a few new entries cost a few searches, not a walk of `a`.
 */
export function mergeSorted<V>(a: readonly Entry<V>[], b: readonly Entry<V>[]): Entry<V>[] {
  const out: Entry<V>[] = [];
  let from = 0;
  for (const e of b) {
    let lo = from;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(a[mid]!.key, e.key) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = from; i < lo; i++) out.push(a[i]!);
    from = lo;
    if (lo < a.length && compareKeys(a[lo]!.key, e.key) === 0) continue;
    out.push(e);
  }
  for (let i = from; i < a.length; i++) out.push(a[i]!);
  return out;
}

export function entry<V>(key: string, value: V, label?: string): Entry<V> {
  flatten(key);
  if (label === undefined) return { key, value };
  flatten(label);
  return { key, value, label };
}

/**
 * A key built by concatenation is a tree of string pieces (~190 bytes for a
 * policy key); reading a character flattens it in place, and the next
 * scavenge drops the pieces (~60 bytes). Entries live as long as their commit.
 */
function flatten(text: string): void {
  text.charCodeAt(0);
}

export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    // Indexed loop: Object.values would copy large arrays such as Maglev tables.
    for (let i = 0; i < value.length; i++) if (typeof value[i] === 'object') deepFreeze(value[i]);
  } else {
    // Only objects recurse: entries are mostly strings and numbers, and a call per field adds up over thousands.
    for (const key in value) {
      const field = (value as Record<string, unknown>)[key];
      if (typeof field === 'object') deepFreeze(field);
    }
  }
  return value;
}
