import { u64 } from './internal/field-types.js';
import { structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors struct gw_counter in bpf/include/abi/events.h.
export interface Counter {
  readonly packets: bigint;
  readonly bytes: bigint;
}

export const counterCodec: Codec<Counter> = structCodec(
  'gw_counter',
  { packets: u64, bytes: u64 },
  { toFields: (v) => ({ ...v }), fromFields: (f) => ({ packets: f.packets, bytes: f.bytes }) },
);

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
