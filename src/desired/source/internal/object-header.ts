import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, createInflate } from 'node:zlib';

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
// Enough compressed bytes for any header: a dynamic Huffman block's tables take a few hundred bytes first.
const HEAD_BYTES = 1024;
// An object header, or a delta's two sizes, is well within the first inflated bytes.
const WANT_BYTES = 32;

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
    const loose = await readHead(looseObjectFile(this.gitdir, oid), 0);
    if (loose !== undefined) return looseHeader(oid, loose);
    return this.packedHeader(oid);
  }

  /** The header of `oid` from the packs only (for an object known not to be loose). */
  async packedHeader(oid: string): Promise<ObjectHeader | undefined> {
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
    const result = deltaResultSize(await inflateHead(head.subarray(at)));
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

/** Where the loose copy of `oid` would be. */
export function looseObjectFile(gitdir: string, oid: string): string {
  return join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
}

/** The header of a loose object, from the first bytes of its file (`deflated`, the whole file or its head). */
export async function looseHeader(oid: string, deflated: Buffer): Promise<ObjectHeader> {
  const text = (await inflateHead(deflated)).toString('latin1');
  const m = /^(commit|tree|blob|tag) (\d+)\0/.exec(text);
  if (!m) throw new Error(`object ${oid}: malformed loose object header`);
  return { type: m[1] as ObjectType, size: Number(m[2]) };
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

/**
 * The first inflated bytes of a deflate stream, from its first compressed
 * bytes only; inflating stops at the first output chunk that holds enough.
 */
function inflateHead(deflated: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const inflate = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
    const parts: Buffer[] = [];
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      inflate.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(parts));
    };
    inflate.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      if (parts.reduce((n, p) => n + p.length, 0) >= WANT_BYTES) finish();
    });
    inflate.on('error', finish);
    inflate.on('end', () => finish());
    inflate.end(deflated.subarray(0, HEAD_BYTES));
  });
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
