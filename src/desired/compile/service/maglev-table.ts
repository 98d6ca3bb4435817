import { stableHash32 } from '../../identity/index.js';

export interface MaglevBackend {
  readonly id: number;
  /** Name the permutation is derived from; stable for the backend (its address:port/proto). */
  readonly name: string;
}

/**
 * Maglev lookup table (Eisenbud et al., NSDI 2016, §3.4): each backend walks
 * its own permutation of the M slots (offset and skip from two independent
 * hashes of its name) and the backends take turns claiming their next free
 * slot, so each ends up with ⌊M/N⌋ or ⌈M/N⌉ slots and removing one backend
 * moves little more than that backend's own slots. M must be prime.
 */
export function maglevTable(backends: readonly MaglevBackend[], size: number): number[] {
  if (backends.length === 0) return [];
  const offset = backends.map((b) => stableHash32(b.name, 'maglev offset') % size);
  const skip = backends.map((b) => (stableHash32(b.name, 'maglev skip') % (size - 1)) + 1);
  const next = backends.map(() => 0);
  const table = new Array<number>(size).fill(0);
  const taken = new Uint8Array(size);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < backends.length; i++) {
      let slot = (offset[i]! + next[i]! * skip[i]!) % size;
      while (taken[slot]) {
        next[i]!++;
        slot = (offset[i]! + next[i]! * skip[i]!) % size;
      }
      taken[slot] = 1;
      table[slot] = backends[i]!.id;
      next[i]!++;
      if (++filled === size) return table;
    }
  }
}
