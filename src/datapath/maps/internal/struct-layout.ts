import { endianness } from 'node:os';

// Host-order fields are written little-endian: gitwire's datapath targets
// x86_64 and arm64 in little-endian mode only.
if (endianness() !== 'LE') throw new Error('gitwire maps: big-endian hosts are not supported');

export type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'be16' | 'be32' | 'char';
const SIZE: Record<FieldType, number> = { u8: 1, u16: 2, u32: 4, u64: 8, be16: 2, be32: 4, char: 1 };

/** A C struct as the codec sees it: name, size and every field's offset. */
export interface StructLayout {
  readonly cName: string;
  readonly size: number;
  readonly offsets: Readonly<Record<string, number>>;
}

/** Lays fields out with C's natural alignment; `[name, type, count]` declares an array. */
export function structLayout(
  cName: string,
  fields: ReadonlyArray<readonly [string, FieldType, number?]>,
): StructLayout {
  const offsets: Record<string, number> = {};
  let off = 0;
  let align = 1;
  for (const [name, type, count = 1] of fields) {
    const s = SIZE[type];
    off = Math.ceil(off / s) * s;
    offsets[name] = off;
    off += s * count;
    align = Math.max(align, s);
  }
  return { cName, size: Math.ceil(off / align) * align, offsets };
}

/** Encoder and decoder of one struct, plus its layout for the BTF check. */
export interface Codec<T> extends StructLayout {
  encode(value: T): Buffer;
  decode(buf: Buffer, offset?: number): T;
}
