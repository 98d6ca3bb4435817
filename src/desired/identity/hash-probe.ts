import { stableHash32 } from './stable-hash.js';

export class NumberSpaceExhaustedError extends Error {
  readonly code = 'E_NUMBER_SPACE_EXHAUSTED';
  constructor(readonly space: string) {
    super(`no free number left in ${space}`);
    this.name = 'NumberSpaceExhaustedError';
  }
}

/**
 * Gives every key a number in [min, max]: its hash, or the next free number on
 * collision. Keys are placed in sorted order, so the result depends only on the
 * set of keys, and a new key moves an existing one only if it takes its slot
 * first after a collision.
 */
export function allocateByHash(
  keys: Iterable<string>,
  range: { readonly min: number; readonly max: number; readonly space: string },
  taken: ReadonlySet<number> = new Set(),
): Map<string, number> {
  const size = range.max - range.min + 1;
  const used = new Set(taken);
  const result = new Map<string, number>();
  const sorted = [...new Set(keys)].sort();
  if (sorted.length + used.size > size) throw new NumberSpaceExhaustedError(range.space);
  // Indexed: a for-of over thousands of keys costs a result object per step while the code is cold.
  for (let i = 0; i < sorted.length; i++) {
    const key = sorted[i]!;
    let offset = stableHash32(key, range.space) % size;
    while (used.has(range.min + offset)) offset = (offset + 1) % size;
    const id = range.min + offset;
    used.add(id);
    // The sum is a heap number; `| 0` makes ids that fit 31 bits small integers, which objects hold without a box.
    result.set(key, id <= 0x3fff_ffff ? id | 0 : id);
  }
  return result;
}
