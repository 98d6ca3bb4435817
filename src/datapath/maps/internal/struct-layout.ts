import { endianness } from 'node:os';
import type { FieldType, Pad } from './field-types.js';

// Host-order fields are written little-endian: gitwire's datapath targets
// x86_64 and arm64 in little-endian mode only.
if (endianness() !== 'LE') throw new Error('gitwire maps: big-endian hosts are not supported');

/** One field as laid out: its C name, offset and type. */
export interface FieldInfo {
  readonly name: string;
  readonly offset: number;
  readonly type: FieldType<unknown>;
}

/** A C struct as the codec sees it, derived from its field list. */
export interface StructLayout {
  readonly cName: string;
  readonly size: number;
  readonly offsets: Readonly<Record<string, number>>;
  readonly fields: readonly FieldInfo[];
  /** Field-by-field access by C name, for checks against the kernel. */
  encodeFields(values: Readonly<Record<string, unknown>>): Buffer;
  decodeFields(buf: Buffer, offset?: number): Record<string, unknown>;
}

/** Encoder and decoder of one struct, plus its layout for the kernel checks. */
export interface Codec<T> extends StructLayout {
  encode(value: T): Buffer;
  /** Writes the value's bytes (padding zero) at `offset` of `buf`: a batch is encoded into one buffer. */
  encodeInto(value: T, buf: Buffer, offset: number): void;
  decode(buf: Buffer, offset?: number): T;
}

/** A struct's fields in C order, by C name. */
export type FieldList = Readonly<Record<string, FieldType<never> | FieldType<unknown>>>;

/** The values of a field list's fields, padding left out. */
export type FieldValues<F extends FieldList> = {
  -readonly [K in keyof F as F[K] extends Pad ? never : K]: F[K] extends FieldType<infer T> ? T : never;
};

/** Lays a field list out with C's natural alignment. */
function layout(list: FieldList): { fields: FieldInfo[]; size: number } {
  const fields: FieldInfo[] = [];
  let off = 0;
  let align = 1;
  for (const [name, type] of Object.entries(list) as Array<[string, FieldType<unknown>]>) {
    off = Math.ceil(off / type.align) * type.align;
    fields.push({ name, offset: off, type });
    off += type.size;
    align = Math.max(align, type.align);
  }
  return { fields, size: Math.ceil(off / align) * align };
}

/**
 * The codec of one C struct, from its field list and the mapping between
 * the TypeScript value and the fields' values. Offsets, widths, byte order
 * and enum values all come from the list; nothing else writes bytes.
 */
export function structCodec<F extends FieldList, T>(
  cName: string,
  list: F,
  map: { toFields(value: T): FieldValues<F>; fromFields(fields: FieldValues<F>): T },
): Codec<T> {
  const { fields, size } = layout(list);
  const data = fields.filter((f) => f.type.kind !== 'pad');
  const writeFields = (values: Readonly<Record<string, unknown>>, b: Buffer, o: number) => {
    for (const f of data) f.type.write(b, o + f.offset, values[f.name]);
  };
  const encodeFields = (values: Readonly<Record<string, unknown>>) => {
    const b = Buffer.alloc(size);
    writeFields(values, b, 0);
    return b;
  };
  // A plain loop: a map dump decodes every entry, and Object.fromEntries over a mapped array cost twice as much.
  const decodeFields = (b: Buffer, o = 0) => {
    const out: Record<string, unknown> = {};
    for (const f of data) out[f.name] = f.type.read(b, o + f.offset);
    return out;
  };
  return {
    cName,
    size,
    fields,
    offsets: Object.fromEntries(fields.map((f) => [f.name, f.offset])),
    encodeFields,
    decodeFields,
    encode: (value) => encodeFields(map.toFields(value)),
    encodeInto(value, b, o) {
      b.fill(0, o, o + size);
      writeFields(map.toFields(value), b, o);
    },
    decode: (b, o = 0) => map.fromFields(decodeFields(b, o) as FieldValues<F>),
  };
}

/** A codec for a key or value that is one scalar (`__u32`, `__u16`), not a struct. */
export function scalarCodec<T>(cName: string, type: FieldType<T>): Codec<T> {
  return structCodec(cName, { value: type } as FieldList, {
    toFields: (value: T) => ({ value }) as never,
    fromFields: (f) => (f as unknown as { value: T }).value,
  });
}
