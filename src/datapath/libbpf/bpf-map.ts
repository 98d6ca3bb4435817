import * as ffi from './internal/ffi.js';
import { ENOENT, ENOSPC, EEXIST } from './internal/errno-name.js';
import { BpfError, check } from './bpf-error.js';

export const MAP_TYPES = {
  hash: 1,
  array: 2,
  percpu_hash: 5,
  percpu_array: 6,
  lru_hash: 9,
  lpm_trie: 11,
  ringbuf: 27,
} as const;
export type MapType = keyof typeof MAP_TYPES;

/** Plain data describing a map to create outside an object (benchmarks, feature probes). */
export interface MapSpec {
  readonly type: MapType;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
}

export const BPF_F_NO_PREALLOC = 1;

export type UpdateFlag = 'any' | 'noexist' | 'exist';
const UPDATE_FLAGS: Record<UpdateFlag, bigint> = { any: 0n, noexist: 1n, exist: 2n };

export interface MapInfo {
  readonly type: number;
  readonly id: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
}

/** Keys and values of a batch, packed back to back. */
export interface Batch {
  readonly keys: Buffer;
  readonly values: Buffer;
  readonly count: number;
}

const PERCPU_TYPES: ReadonlySet<number> = new Set([MAP_TYPES.percpu_hash, MAP_TYPES.percpu_array]);
const possibleCpus = (() => {
  let n: number | undefined;
  return () => (n ??= check(ffi.libbpf_num_possible_cpus() as number, 'possible cpus'));
})();

function batchOpts(flags: UpdateFlag = 'any') {
  return { sz: ffi.sizeOf(ffi.batchOpts), elem_flags: UPDATE_FLAGS[flags], flags: 0n };
}

/**
 * A live BPF map, addressed by fd. Keys and values are raw Buffers of the
 * map's sizes; src/datapath/maps/ gives them types. Maps of a loaded object
 * belong to the object; maps opened here (create, fromPin) close their fd.
 */
export class BpfMap {
  /** Size of one value as user space sees it: per-CPU maps hold one 8-byte aligned slot per possible CPU. */
  readonly valueBufferSize: number;

  constructor(
    readonly fd: number,
    readonly info: MapInfo,
    private readonly ownsFd: boolean,
  ) {
    this.valueBufferSize = PERCPU_TYPES.has(info.type)
      ? Math.ceil(info.valueSize / 8) * 8 * possibleCpus()
      : info.valueSize;
  }

  static create(spec: MapSpec): BpfMap {
    const opts = { ...zeroCreateOpts(), map_flags: spec.flags ?? 0 };
    const fd = check(
      ffi.bpf_map_create(
        MAP_TYPES[spec.type],
        spec.name,
        spec.keySize,
        spec.valueSize,
        spec.maxEntries,
        opts,
      ) as number,
      'map create',
      spec.name,
    );
    return new BpfMap(fd, mapInfo(fd), true);
  }

  /** Opens a pinned map (bpf_obj_get). */
  static fromPin(path: string): BpfMap {
    const fd = check(ffi.bpf_obj_get(path) as number, 'map open pinned', path);
    return new BpfMap(fd, mapInfo(fd), true);
  }

  static fromId(id: number): BpfMap {
    const fd = check(ffi.bpf_map_get_fd_by_id(id) as number, 'map open by id', String(id));
    return new BpfMap(fd, mapInfo(fd), true);
  }

  static fromFd(fd: number): BpfMap {
    return new BpfMap(fd, mapInfo(fd), false);
  }

  get name(): string {
    return this.info.name;
  }

  lookup(key: Buffer): Buffer | undefined {
    const value = Buffer.alloc(this.valueBufferSize);
    const r = ffi.bpf_map_lookup_elem(this.fd, key, value) as number;
    if (r === -ENOENT) return undefined;
    check(r, 'map lookup', this.name);
    return value;
  }

  update(key: Buffer, value: Buffer, flag: UpdateFlag = 'any'): void {
    check(ffi.bpf_map_update_elem(this.fd, key, value, UPDATE_FLAGS[flag]) as number, 'map update', this.name);
  }

  /** Idempotent: deleting an absent key succeeds and returns false. */
  delete(key: Buffer): boolean {
    const r = ffi.bpf_map_delete_elem(this.fd, key) as number;
    if (r === -ENOENT) return false;
    check(r, 'map delete', this.name);
    return true;
  }

  /** The key after `key` (the first key for undefined), or undefined at the end. */
  nextKey(key: Buffer | undefined): Buffer | undefined {
    const next = Buffer.alloc(this.info.keySize);
    const r = ffi.bpf_map_get_next_key(this.fd, key ?? null, next) as number;
    if (r === -ENOENT) return undefined;
    check(r, 'map next key', this.name);
    return next;
  }

  /**
   * Every key, collected before the caller acts on them: deleting while
   * walking with next-key restarts the walk on hash maps.
   */
  keys(): Buffer[] {
    const out: Buffer[] = [];
    for (let k = this.nextKey(undefined); k; k = this.nextKey(k)) out.push(k);
    return out;
  }

  /**
   * Every entry by next-key + lookup, packed back to back as a batch is;
   * works on every map type (LPM tries have no batch ops). The kernel writes
   * each key and value into place: no Buffer per entry (at 65k entries those
   * allocations cost more than the syscalls).
   */
  entries(): Batch {
    const ks = this.info.keySize;
    const vs = this.valueBufferSize;
    // Not zeroed: only what the kernel writes is returned (see lookupBatch).
    let capacity = Math.min(this.info.maxEntries, 1 << 20) + 1;
    let keys: Buffer = Buffer.allocUnsafe(capacity * ks);
    let values: Buffer = Buffer.allocUnsafe(capacity * vs);
    let prev: Buffer | null = null;
    let count = 0;
    for (;;) {
      if (count === capacity) {
        capacity *= 2;
        keys = grow(keys, capacity * ks);
        values = grow(values, capacity * vs);
      }
      const key = keys.subarray(count * ks, (count + 1) * ks);
      const r = ffi.bpf_map_get_next_key(this.fd, prev, key) as number;
      if (r === -ENOENT) break;
      check(r, 'map next key', this.name);
      const l = ffi.bpf_map_lookup_elem(this.fd, key, values.subarray(count * vs, (count + 1) * vs)) as number;
      // Deleted since its key was read: walk on from a copy, its slot takes the next entry.
      if (l === -ENOENT) {
        prev = Buffer.from(key);
        continue;
      }
      check(l, 'map lookup', this.name);
      prev = key;
      count++;
    }
    return { keys: keys.subarray(0, count * ks), values: values.subarray(0, count * vs), count };
  }

  /**
   * Dumps the whole map with BPF_MAP_LOOKUP_BATCH, `chunk` entries per call.
   * The walk ends when the kernel answers ENOENT (its count then holds the
   * last, partial chunk); ENOSPC means a hash bucket did not fit, so the
   * chunk grows.
   */
  lookupBatch(chunk = 4096): Batch {
    const ks = this.info.keySize;
    const vs = this.valueBufferSize;
    // Sized for a full map up front (growing copies: measured 0.6× C instead
    // of ~1×) but not zeroed, so only the pages the kernel fills are touched:
    // a 1M-entry map holding a few tables costs its entries, not its capacity.
    let capacity = Math.min(this.info.maxEntries, 1 << 20) + chunk;
    let keys: Buffer = Buffer.allocUnsafe(capacity * ks);
    let values: Buffer = Buffer.allocUnsafe(capacity * vs);
    const tokenSize = Math.max(ks, 8);
    let inToken: Buffer | null = null;
    let outToken: Buffer = Buffer.alloc(tokenSize);
    const count = Buffer.alloc(4);
    const opts = batchOpts();
    let total = 0;
    for (;;) {
      if (capacity - total < chunk) {
        capacity = Math.max(capacity * 2, total + chunk);
        keys = grow(keys, capacity * ks);
        values = grow(values, capacity * vs);
      }
      count.writeUInt32LE(chunk);
      const r = ffi.bpf_map_lookup_batch(
        this.fd,
        inToken,
        outToken,
        keys.subarray(total * ks),
        values.subarray(total * vs),
        count,
        opts,
      ) as number;
      const n = count.readUInt32LE();
      total += n;
      if (r === -ENOENT) break;
      if (r === -ENOSPC && n === 0) {
        chunk *= 2;
        continue;
      }
      check(r, 'map batch lookup', this.name);
      const used: Buffer = outToken;
      outToken = inToken ?? Buffer.alloc(tokenSize);
      inToken = used;
    }
    return { keys: keys.subarray(0, total * ks), values: values.subarray(0, total * vs), count: total };
  }

  /** Writes `count` packed entries in one BPF_MAP_UPDATE_BATCH call. */
  updateBatch(keys: Buffer, values: Buffer, count: number, flag: UpdateFlag = 'any'): void {
    if (count === 0) return;
    const n = Buffer.alloc(4);
    n.writeUInt32LE(count);
    const r = ffi.bpf_map_update_batch(this.fd, keys, values, n, batchOpts(flag)) as number;
    if (r < 0)
      throw new BpfError(
        'BPF_CALL_FAILED',
        'map batch update',
        -r,
        `${this.name}: ${n.readUInt32LE()} of ${count} written`,
      );
  }

  /**
   * Deletes `count` packed keys. Idempotent like delete(): the kernel stops at
   * the first absent key, so the loop skips it and goes on. Returns how many
   * entries were really deleted.
   */
  deleteBatch(keys: Buffer, count: number): number {
    const ks = this.info.keySize;
    const n = Buffer.alloc(4);
    const opts = batchOpts();
    let done = 0;
    let deleted = 0;
    while (done < count) {
      n.writeUInt32LE(count - done);
      const r = ffi.bpf_map_delete_batch(this.fd, keys.subarray(done * ks), n, opts) as number;
      const processed = n.readUInt32LE();
      deleted += processed;
      done += processed;
      if (r === -ENOENT) done += 1;
      else check(r, 'map batch delete', this.name);
    }
    return deleted;
  }

  /** Pins the map at `path` in bpffs. */
  pin(path: string): void {
    check(ffi.bpf_obj_pin(this.fd, path) as number, 'map pin', path);
  }

  close(): void {
    if (this.ownsFd) ffi.close(this.fd);
  }
}

export function isExists(e: unknown): boolean {
  return e instanceof BpfError && e.errno === EEXIST;
}

function grow(buf: Buffer, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  buf.copy(out);
  return out;
}

function zeroCreateOpts() {
  return {
    sz: ffi.sizeOf(ffi.mapCreateOpts),
    btf_fd: 0,
    btf_key_type_id: 0,
    btf_value_type_id: 0,
    btf_vmlinux_value_type_id: 0,
    inner_map_fd: 0,
    map_flags: 0,
    map_extra: 0n,
    numa_node: 0,
    map_ifindex: 0,
  };
}

/** Reads struct bpf_map_info: type, id, key/value size, max entries, flags, name. */
export function mapInfo(fd: number): MapInfo {
  const info = Buffer.alloc(96);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(info.length);
  check(ffi.bpf_obj_get_info_by_fd(fd, info, len) as number, 'map info');
  const name = info.subarray(24, 40);
  return {
    type: info.readUInt32LE(0),
    id: info.readUInt32LE(4),
    keySize: info.readUInt32LE(8),
    valueSize: info.readUInt32LE(12),
    maxEntries: info.readUInt32LE(16),
    flags: info.readUInt32LE(20),
    name: name.toString('utf8', 0, name.indexOf(0) < 0 ? 16 : name.indexOf(0)),
  };
}
