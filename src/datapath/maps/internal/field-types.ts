import type { CEnum } from './c-enum.js';
import { readIpv4, readMac, writeIpv4, writeMac } from './inet.js';

/**
 * One field's C type: width, alignment, byte order and, for an enum, the
 * mirror its values come from. read/write convert between the bytes and the
 * TypeScript value; a struct's codec is nothing but a list of these.
 */
export interface FieldType<T> {
  readonly kind: 'uint' | 'enum' | 'ipv4' | 'mac' | 'cstr' | 'pad';
  readonly size: number;
  readonly align: number;
  /** How the kernel stores it: host order (__u*), network order (__be*), or plain bytes. */
  readonly order: 'host' | 'network' | 'bytes';
  readonly cEnum?: CEnum<string>;
  write(b: Buffer, o: number, v: T): void;
  read(b: Buffer, o: number): T;
}

/** A named padding field: zero when written, skipped when read. */
export type Pad = FieldType<never> & { readonly kind: 'pad' };

function uint(size: 1 | 2 | 4, order: 'host' | 'network'): FieldType<number> {
  const le = order === 'host';
  return {
    kind: 'uint',
    size,
    align: size,
    order,
    write: (b, o, v) => void (le ? b.writeUIntLE(v, o, size) : b.writeUIntBE(v, o, size)),
    read: (b, o) => (le ? b.readUIntLE(o, size) : b.readUIntBE(o, size)),
  };
}

export const u8 = uint(1, 'host');
export const u16 = uint(2, 'host');
export const u32 = uint(4, 'host');
export const be16 = uint(2, 'network');
export const be32 = uint(4, 'network');

export const u64: FieldType<bigint> = {
  kind: 'uint',
  size: 8,
  align: 8,
  order: 'host',
  write: (b, o, v) => void b.writeBigUInt64LE(v, o),
  read: (b, o) => b.readBigUInt64LE(o),
};

/** A __be32 IPv4 address as a dotted string. */
export const ipv4: FieldType<string> = {
  kind: 'ipv4',
  size: 4,
  align: 4,
  order: 'network',
  write: writeIpv4,
  read: readIpv4,
};

/** __u8[6] holding a MAC address as `aa:bb:...`. */
export const mac: FieldType<string> = {
  kind: 'mac',
  size: 6,
  align: 1,
  order: 'bytes',
  write: writeMac,
  read: readMac,
};

/** char[size], NUL padded; the string must leave room for one NUL. */
export function cstr(size: number): FieldType<string> {
  return {
    kind: 'cstr',
    size,
    align: 1,
    order: 'bytes',
    write(b, o, v) {
      if (Buffer.byteLength(v) > size - 1) throw new RangeError(`longer than ${size - 1} bytes: ${v}`);
      b.write(v, o, 'utf8');
    },
    read(b, o) {
      const s = b.subarray(o, o + size);
      const end = s.indexOf(0);
      return s.toString('utf8', 0, end < 0 ? size : end);
    },
  };
}

/** __u8 pad[size] (or a __u32 pad: same bytes, aligned by what precedes it). */
export function pad(size: number): Pad {
  return { kind: 'pad', size, align: 1, order: 'bytes', write: () => undefined, read: () => undefined as never };
}

/** An unsigned field holding a C enum's value; an unknown value reads as null. */
export function enumField<N extends string>(e: CEnum<N>, size: 1 | 2 | 4 = 1): FieldType<N | null> {
  const base = uint(size, 'host');
  return {
    kind: 'enum',
    size,
    align: size,
    order: 'host',
    cEnum: e as CEnum<string>,
    write(b, o, v) {
      if (v === null) throw new RangeError(`no value for enum ${e.cName}`);
      base.write(b, o, e.code(v));
    },
    read: (b, o) => e.name(base.read(b, o)),
  };
}
