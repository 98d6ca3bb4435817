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
export function maglevTable(backends: readonly MaglevBackend[], size: number): Uint32Array {
  const n = backends.length;
  if (n === 0) return new Uint32Array(0);
  // Each backend's walk position and stride; stepping by addition keeps the arithmetic in small integers.
  const pos = new Uint32Array(n);
  const skip = new Uint32Array(n);
  backends.forEach((b, i) => {
    pos[i] = stableHash32(b.name, 'maglev offset') % size;
    skip[i] = (stableHash32(b.name, 'maglev skip') % (size - 1)) + 1;
  });
  const owner = new Int32Array(size).fill(-1);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < n; i++) {
      let slot = pos[i]!;
      while (owner[slot] !== -1) {
        slot += skip[i]!;
        if (slot >= size) slot -= size;
      }
      owner[slot] = i;
      slot += skip[i]!;
      pos[i] = slot >= size ? slot - size : slot;
      if (++filled === size) return toIds(owner, backends);
    }
  }
}

function toIds(owner: Int32Array, backends: readonly MaglevBackend[]): Uint32Array {
  const ids = backends.map((b) => b.id);
  const table = new Uint32Array(owner.length);
  for (let i = 0; i < owner.length; i++) table[i] = ids[owner[i]!]!;
  return table;
}
