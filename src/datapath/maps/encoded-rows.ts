/**
 * Writes row `row`'s key and value bytes at `row * keySize` of `keys` and
 * `row * valueSize` of `values`; false when the row cannot be compared byte
 * for byte, and is then never matched.
 */
export type RowWriter = (row: number, keys: Buffer, values: Buffer) => boolean;

/**
 * Map entries encoded once, key and value bytes packed as a batch read packs
 * them, with an index over the key bytes: a raw read of the map is matched
 * entry by entry against them without decoding anything. Rows whose key
 * bytes repeat are never matched.
 */
export class EncodedRows {
  readonly count: number;
  private readonly keys: Buffer;
  private readonly values: Buffer;
  /** Open addressing over the key bytes: row + 1, 0 for an empty slot. */
  private readonly slots: Int32Array;
  private readonly repeated: Uint8Array;

  constructor(
    readonly keySize: number,
    readonly valueSize: number,
    count: number,
    write: RowWriter,
  ) {
    this.count = count;
    this.keys = Buffer.alloc(count * keySize);
    this.values = Buffer.alloc(count * valueSize);
    this.repeated = new Uint8Array(count);
    let size = 8;
    while (size < count * 2) size *= 2;
    this.slots = new Int32Array(size);
    for (let i = 0; i < count; i++) {
      if (!write(i, this.keys, this.values)) continue;
      const at = this.probe(this.keys, i * keySize);
      const held = this.slots[at]!;
      if (held === 0) this.slots[at] = i + 1;
      else this.repeated[held - 1] = 1;
    }
  }

  /** The row whose key bytes are `keys[offset, offset + keySize)`, or -1. */
  find(keys: Buffer, offset: number): number {
    const held = this.slots[this.probe(keys, offset)]!;
    return held === 0 || this.repeated[held - 1] === 1 ? -1 : held - 1;
  }

  /** Whether row `row`'s value bytes are `values[offset, offset + valueSize)`. */
  sameValue(row: number, values: Buffer, offset: number): boolean {
    const at = row * this.valueSize;
    for (let b = 0; b < this.valueSize; b++) if (this.values[at + b] !== values[offset + b]) return false;
    return true;
  }

  /** The slot holding these key bytes, or the empty slot where they would go. */
  private probe(keys: Buffer, offset: number): number {
    const ks = this.keySize;
    // FNV-1a: keys are a few bytes of fields, often differing only in the last ones.
    let h = 0x811c9dc5;
    for (let b = 0; b < ks; b++) h = Math.imul(h ^ keys[offset + b]!, 0x01000193);
    const mask = this.slots.length - 1;
    for (let at = h & mask; ; at = (at + 1) & mask) {
      const held = this.slots[at]!;
      if (held === 0 || this.sameKey(held - 1, keys, offset)) return at;
    }
  }

  private sameKey(row: number, keys: Buffer, offset: number): boolean {
    const at = row * this.keySize;
    for (let b = 0; b < this.keySize; b++) if (this.keys[at + b] !== keys[offset + b]) return false;
    return true;
  }
}
