import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

/** What an object's header says, read without inflating the object. */
export interface ObjectHeader {
  readonly type: ObjectType;
  /** The object's size; for a delta, the largest size along its chain of bases. */
  readonly size: number;
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;
// git's own default delta depth is 50; a chain this long is hostile.
const MAX_CHAIN = 1000;
// Enough compressed bytes for any header: a deflate stream yields at most ~1 KiB per input byte.
const HEAD_BYTES = 64;

interface PackIndex {
  readonly pack: string;
  readonly find: (oid: string) => number | undefined;
}

/**
 * Reads object headers from a git object database, loose objects first and
 * then packs, in the order isomorphic-git looks them up, so the size checked
 * is the size of the copy that will be read.
 */
export class ObjectHeaders {
  private packs: Promise<PackIndex[]> | undefined;

  constructor(private readonly gitdir: string) {}

  async header(oid: string): Promise<ObjectHeader | undefined> {
    const loose = await readHead(join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2)), 0);
    if (loose !== undefined) {
      const text = inflateHead(loose).toString('latin1');
      const m = /^(commit|tree|blob|tag) (\d+)\0/.exec(text);
      if (!m) throw new Error(`object ${oid}: malformed loose object header`);
      return { type: m[1] as ObjectType, size: Number(m[2]) };
    }
    for (const index of await this.indexes()) {
      const offset = index.find(oid);
      if (offset !== undefined) return this.packed(index, offset, 0);
    }
    return undefined;
  }

  private async packed(index: PackIndex, offset: number, depth: number): Promise<ObjectHeader> {
    if (depth > MAX_CHAIN) throw new Error(`pack ${index.pack}: delta chain longer than ${MAX_CHAIN}`);
    const head = await readHead(index.pack, offset);
    if (head === undefined) throw new Error(`pack ${index.pack}: missing`);
    let at = 0;
    let byte = head[at++]!;
    const kind = (byte >> 4) & 7;
    let size = byte & 15;
    for (let shift = 4; byte & 0x80; shift += 7) {
      byte = head[at++]!;
      size += (byte & 0x7f) * 2 ** shift;
    }
    const type = TYPES[kind];
    if (type !== undefined) return { type, size };
    let base: ObjectHeader | undefined;
    if (kind === OFS_DELTA) {
      byte = head[at++]!;
      let back = byte & 0x7f;
      while (byte & 0x80) {
        byte = head[at++]!;
        back = (back + 1) * 128 + (byte & 0x7f);
      }
      base = await this.packed(index, offset - back, depth + 1);
    } else if (kind === REF_DELTA) {
      const baseOid = head.subarray(at, at + 20).toString('hex');
      at += 20;
      base = await this.header(baseOid);
      if (base === undefined) throw new Error(`pack ${index.pack}: delta base ${baseOid} missing`);
    } else {
      throw new Error(`pack ${index.pack}: unknown object type ${kind} at ${offset}`);
    }
    const result = deltaResultSize(inflateHead(head.subarray(at)));
    return { type: base.type, size: Math.max(result, base.size) };
  }

  private indexes(): Promise<PackIndex[]> {
    this.packs ??= (async () => {
      const dir = join(this.gitdir, 'objects', 'pack');
      const names = await readdir(dir).catch(() => [] as string[]);
      const out: PackIndex[] = [];
      for (const name of names.filter((n) => n.endsWith('.idx'))) {
        out.push(parseIndex(join(dir, name.replace(/\.idx$/, '.pack')), await readFile(join(dir, name))));
      }
      return out;
    })();
    return this.packs;
  }
}

async function readHead(file: string, offset: number): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES + 32);
    const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Inflates only what a few compressed bytes give, without needing the end of the stream. */
function inflateHead(deflated: Buffer): Buffer {
  return inflateSync(deflated.subarray(0, HEAD_BYTES), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
}

function deltaResultSize(delta: Buffer): number {
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0, byte = 0x80; byte & 0x80; shift += 7) {
      if (at >= delta.length) throw new Error('delta header cut short');
      byte = delta[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
    }
    return value;
  };
  varint();
  return varint();
}

/** Pack index version 2: fan-out table, sorted object ids, CRCs, 31-bit offsets, then 64-bit ones. */
function parseIndex(pack: string, idx: Buffer): PackIndex {
  if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) {
    throw new Error(`${pack}: unsupported pack index`);
  }
  const count = idx.readUInt32BE(8 + 255 * 4);
  const names = 8 + 256 * 4;
  const offsets = names + count * 24;
  const large = offsets + count * 4;
  return {
    pack,
    find: (oid) => {
      const want = Buffer.from(oid, 'hex');
      const first = want[0]!;
      let lo = first === 0 ? 0 : idx.readUInt32BE(8 + (first - 1) * 4);
      let hi = idx.readUInt32BE(8 + first * 4);
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const cmp = idx.compare(want, 0, 20, names + mid * 20, names + mid * 20 + 20);
        if (cmp === 0) {
          const small = idx.readUInt32BE(offsets + mid * 4);
          if (!(small & 0x80000000)) return small;
          return Number(idx.readBigUInt64BE(large + (small & 0x7fffffff) * 8));
        }
        // `compare(target, …)` is the buffer against the target: positive means the entry is after `want`.
        if (cmp > 0) hi = mid;
        else lo = mid + 1;
      }
      return undefined;
    },
  };
}
