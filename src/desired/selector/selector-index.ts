import { toLabelMap } from './label.js';
import { selectorMatches, type Selector } from './label-selector.js';

/**
 * Items indexed by `key=value`, so that a selector with an `In` requirement
 * only checks the items carrying one of its values instead of every item.
 */
export class SelectorIndex<T> {
  // Indexes of the items carrying each `key=value`: one index held as a number, not a list, since most
  // pairs (a CIDR identity's prefix) name one item. Label maps are rebuilt per check, not kept: an agent
  // holds the index between commits, and 35,000 CIDR identities' maps were ~16 MiB of its heap.
  private readonly byKeyValue = new Map<string, number | number[]>();
  private readonly cache = new Map<string, readonly T[]>();

  constructor(
    private readonly items: readonly T[],
    private readonly labelsOf: (item: T) => readonly string[],
  ) {
    items.forEach((item, i) => {
      for (const text of labelsOf(item)) push(this.byKeyValue, keyValue(text), i);
    });
  }

  /** Items the selector matches, in the order they were given. */
  select(selector: Selector): readonly T[] {
    const cached = this.cache.get(selector.key);
    if (cached) return cached;
    const result: T[] = [];
    for (const i of this.candidates(selector)) {
      const item = this.items[i]!;
      if (selectorMatches(selector, toLabelMap(this.labelsOf(item)))) result.push(item);
    }
    this.cache.set(selector.key, result);
    return result;
  }

  private candidates(selector: Selector): Iterable<number> {
    // Sizes first: only the smallest requirement's lists are copied.
    // Indexed loops: a compile selects with thousands of rules while this code is cold.
    let best: { lists: number[][]; size: number } | null = null;
    const requirements = selector.requirements;
    for (let i = 0; i < requirements.length; i++) {
      const r = requirements[i]!;
      if (r.operator !== 'In') continue;
      const lists: number[][] = [];
      let size = 0;
      for (let j = 0; j < r.values.length; j++) {
        const list = listed(this.byKeyValue.get(`${r.key}=${r.values[j]!}`));
        lists.push(list);
        size += list.length;
      }
      if (best === null || size < best.size) best = { lists, size };
    }
    if (best === null) return this.items.keys();
    // One list is ascending without repeats (see push); a value can be listed twice in one In
    // (or under two sources), so several lists are merged in order with repeats dropped.
    if (best.lists.length === 1) return best.lists[0]!;
    return [...new Set(best.lists.flat())].sort((a, b) => a - b);
  }
}

/** `key=value` of a label text (`source:key=value`, `source:key` or `key=value`), as parseLabel reads it. */
function keyValue(text: string): string {
  const rest = text.slice(text.indexOf(':') + 1);
  return rest.includes('=') ? rest : `${rest}=`;
}

function push(map: Map<string, number | number[]>, key: string, i: number): void {
  const found = map.get(key);
  if (found === undefined) map.set(key, i);
  else if (typeof found === 'number') {
    if (found !== i) map.set(key, [found, i]);
  } else if (found[found.length - 1] !== i) found.push(i);
}

function listed(found: number | number[] | undefined): number[] {
  return found === undefined ? [] : typeof found === 'number' ? [found] : found;
}
