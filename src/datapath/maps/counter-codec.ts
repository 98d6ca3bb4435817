import { structLayout, type Codec } from './internal/struct-layout.js';

// Mirrors struct gw_counter in bpf/include/events.h.
export interface Counter {
  readonly packets: bigint;
  readonly bytes: bigint;
}

export const counterCodec: Codec<Counter> = {
  ...structLayout('gw_counter', [
    ['packets', 'u64'],
    ['bytes', 'u64'],
  ]),
  encode(v) {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(v.packets, 0);
    b.writeBigUInt64LE(v.bytes, 8);
    return b;
  },
  decode(b, o = 0) {
    return { packets: b.readBigUInt64LE(o), bytes: b.readBigUInt64LE(o + 8) };
  },
};

/** Sums a per-CPU value (one 16-byte slot per possible CPU). */
export function sumPerCpu(buf: Buffer): Counter {
  let packets = 0n;
  let bytes = 0n;
  for (let o = 0; o + counterCodec.size <= buf.length; o += counterCodec.size) {
    const c = counterCodec.decode(buf, o);
    packets += c.packets;
    bytes += c.bytes;
  }
  return { packets, bytes };
}
