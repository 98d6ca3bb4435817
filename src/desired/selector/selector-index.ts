import { toLabelMap, type LabelMap } from './label.js';
import { selectorMatches, type Selector } from './label-selector.js';

/**
 * Items indexed by `key=value`, so that a selector with an `In` requirement
 * only checks the items carrying one of its values instead of every item.
 */
export class SelectorIndex<T> {
  private readonly labelMaps: LabelMap[] = [];
  private readonly byKeyValue = new Map<string, number[]>();
  private readonly cache = new Map<string, readonly T[]>();

  constructor(
    private readonly items: readonly T[],
    labelsOf: (item: T) => readonly string[],
  ) {
    items.forEach((item, i) => {
      const map = toLabelMap(labelsOf(item));
      this.labelMaps.push(map);
      for (const [key, labels] of map) {
        for (const l of labels) push(this.byKeyValue, `${key}=${l.value}`, i);
      }
    });
  }

  /** Items the selector matches, in the order they were given. */
  select(selector: Selector): readonly T[] {
    const cached = this.cache.get(selector.key);
    if (cached) return cached;
    const result: T[] = [];
    for (const i of this.candidates(selector)) {
      if (selectorMatches(selector, this.labelMaps[i]!)) result.push(this.items[i]!);
    }
    this.cache.set(selector.key, result);
    return result;
  }

  private candidates(selector: Selector): Iterable<number> {
    // Sizes first: only the smallest requirement's lists are copied.
    let best: { lists: number[][]; size: number } | null = null;
    for (const r of selector.requirements) {
      if (r.operator !== 'In') continue;
      const lists = r.values.map((v) => this.byKeyValue.get(`${r.key}=${v}`) ?? []);
      const size = lists.reduce((n, l) => n + l.length, 0);
      if (best === null || size < best.size) best = { lists, size };
    }
    if (best === null) return this.items.keys();
    // One list is ascending without repeats (see push); a value can be listed twice in one In
    // (or under two sources), so several lists are merged in order with repeats dropped.
    if (best.lists.length === 1) return best.lists[0]!;
    return [...new Set(best.lists.flat())].sort((a, b) => a - b);
  }
}

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== i) list.push(i);
  } else map.set(key, [i]);
}
