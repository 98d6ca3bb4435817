import { batchSupport, type Batch, type BpfMap, type MapType } from '../libbpf/index.js';
import type { Codec } from './internal/struct-layout.js';
import type { EncodedRows } from './encoded-rows.js';

const TYPE_NAMES: Readonly<Record<number, MapType>> = {
  1: 'hash',
  2: 'array',
  5: 'percpu_hash',
  6: 'percpu_array',
  9: 'lru_hash',
  11: 'lpm_trie',
};

/** Kernel writes made through a handle, so callers can prove a no-op apply wrote nothing. */
export interface WriteStats {
  updates: number;
  deletes: number;
}

/** How a value of the desired state is one entry of a map, and back. */
export interface RowMapping<T, K, V> {
  toRow(value: T): readonly [K, V];
  fromRow(key: K, value: V): T;
}

/** A raw read matched against encoded rows: `rows[j]` is the row entry j's bytes equal, or -1. */
export interface RawMatch {
  readonly batch: Batch;
  readonly rows: Int32Array;
  /** How many entries matched a row. */
  readonly matched: number;
}

/**
 * A BPF map with typed keys and values. Bulk operations use the batch
 * syscalls where the kernel has them for the map type and single operations
 * otherwise. Deleting what is absent succeeds.
 */
export class TypedMap<K, V> {
  readonly stats: WriteStats = { updates: 0, deletes: 0 };

  constructor(
    readonly map: BpfMap,
    readonly keyCodec: Codec<K>,
    readonly valueCodec: Codec<V>,
  ) {
    if (map.info.keySize !== keyCodec.size || map.info.valueSize !== valueCodec.size) {
      throw new RangeError(
        `map ${map.name}: key/value size ${map.info.keySize}/${map.info.valueSize} differ from ${keyCodec.cName}/${valueCodec.cName} (${keyCodec.size}/${valueCodec.size})`,
      );
    }
  }

  private get batched(): boolean {
    const type = TYPE_NAMES[this.map.info.type];
    return type !== undefined && batchSupport(type) === 'works';
  }

  get(key: K): V | undefined {
    const v = this.map.lookup(this.keyCodec.encode(key));
    return v && this.valueCodec.decode(v);
  }

  put(key: K, value: V): void {
    this.map.update(this.keyCodec.encode(key), this.valueCodec.encode(value));
    this.stats.updates++;
  }

  remove(key: K): boolean {
    const gone = this.map.delete(this.keyCodec.encode(key));
    if (gone) this.stats.deletes++;
    return gone;
  }

  putMany(entries: ReadonlyArray<readonly [K, V]>): void {
    this.putRows(entries, (e) => e);
  }

  /**
   * putMany of `values` each made a row by `toRow`, one row at a time: each
   * [key, value] pair dies as soon as it is encoded, not after the last one is
   * made (a first apply writes ~100k rows at once).
   */
  putRows<T>(values: readonly T[], toRow: (value: T) => readonly [K, V]): void {
    if (values.length === 0) return;
    if (!this.batched) {
      for (const v of values) this.put(...toRow(v));
      return;
    }
    // Encoded straight into the batch, not a Buffer per entry concatenated.
    const [ks, vs] = [this.keyCodec.size, this.valueCodec.size];
    const keys = Buffer.alloc(values.length * ks);
    const out = Buffer.alloc(values.length * vs);
    for (let i = 0; i < values.length; i++) {
      const [k, v] = toRow(values[i]!);
      this.keyCodec.encodeInto(k, keys, i * ks);
      this.valueCodec.encodeInto(v, out, i * vs);
    }
    this.map.updateBatch(keys, out, values.length);
    this.stats.updates += values.length;
  }

  /** Returns how many entries existed and were deleted. */
  removeMany(keys: readonly K[]): number {
    if (keys.length === 0) return 0;
    let n = 0;
    if (!this.batched) {
      for (const k of keys) if (this.remove(k)) n++;
      return n;
    }
    n = this.map.deleteBatch(this.packKeys(keys), keys.length);
    this.stats.deletes += n;
    return n;
  }

  private packKeys(keys: readonly K[]): Buffer {
    const ks = this.keyCodec.size;
    const out = Buffer.alloc(keys.length * ks);
    for (let i = 0; i < keys.length; i++) this.keyCodec.encodeInto(keys[i]!, out, i * ks);
    return out;
  }

  /** Every entry as packed raw bytes: values every `map.valueBufferSize` bytes. */
  protected raw(): Batch {
    return this.batched ? this.map.lookupBatch() : this.map.entries();
  }

  /** Every entry, decoded. Keys are collected before anything acts on them. */
  dump(): Array<[K, V]> {
    const batch = this.raw();
    const out = new Array<[K, V]>(batch.count);
    for (let i = 0; i < batch.count; i++) out[i] = this.decodeAt(batch, i);
    return out;
  }

  /** Entry `i` of a raw read, decoded. */
  decodeAt({ keys, values }: Batch, i: number): [K, V] {
    return [
      this.keyCodec.decode(keys, i * this.keyCodec.size),
      this.valueCodec.decode(values, i * this.map.valueBufferSize),
    ];
  }

  /**
   * Every entry raw, each found in `encoded` by its key bytes and kept as a
   * match where its value bytes are equal too. Per-CPU values never match.
   */
  match(encoded: EncodedRows): RawMatch {
    const batch = this.raw();
    const rows = new Int32Array(batch.count).fill(-1);
    const ks = this.keyCodec.size;
    const vs = this.map.valueBufferSize;
    if (encoded.keySize !== ks || encoded.valueSize !== vs) return { batch, rows, matched: 0 };
    let matched = 0;
    for (let j = 0; j < batch.count; j++) {
      const row = encoded.find(batch.keys, j * ks);
      if (row >= 0 && encoded.sameValue(row, batch.values, j * vs)) {
        rows[j] = row;
        matched++;
      }
    }
    return { batch, rows, matched };
  }
}
