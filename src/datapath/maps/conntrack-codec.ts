import type { Direction } from '../../desired/desired-state.js';
import { readIpv4, writeIpv4 } from './internal/inet.js';
import { structLayout, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/conntrack.h.
export const CT_FWD_FIN = 1;
export const CT_REV_FIN = 2;
export const CT_RST = 4;
export const CT_SEEN_REPLY = 8;
export const CT_AUDIT = 16;

export interface CtKey {
  readonly saddr: string;
  readonly daddr: string;
  readonly sport: number;
  readonly dport: number;
  readonly endpointId: number;
  readonly protocol: number;
  /** Direction of the packet that opened the connection, seen by the endpoint. */
  readonly direction: Direction;
}

export interface CtValue {
  /** CLOCK_MONOTONIC ns, the clock of process.hrtime.bigint(). */
  readonly createdNs: bigint;
  readonly lastSeenNs: bigint;
  readonly packetsFwd: bigint;
  readonly packetsRev: bigint;
  readonly lifetimeS: number;
  readonly ruleId: number;
  readonly flags: number;
  /** Load balancer: the reverse-NAT index replies are rewritten with; 0 (or absent) = not translated. */
  readonly revNatIndex?: number;
}

export const ctKeyCodec: Codec<CtKey> = {
  ...structLayout('gw_ct_key', [
    ['saddr', 'be32'],
    ['daddr', 'be32'],
    ['sport', 'be16'],
    ['dport', 'be16'],
    ['endpoint_id', 'u16'],
    ['protocol', 'u8'],
    ['direction', 'u8'],
  ]),
  encode(k) {
    const b = Buffer.alloc(16);
    writeIpv4(b, 0, k.saddr);
    writeIpv4(b, 4, k.daddr);
    b.writeUInt16BE(k.sport, 8);
    b.writeUInt16BE(k.dport, 10);
    b.writeUInt16LE(k.endpointId, 12);
    b[14] = k.protocol;
    b[15] = k.direction === 'egress' ? 1 : 0;
    return b;
  },
  decode(b, o = 0) {
    return {
      saddr: readIpv4(b, o),
      daddr: readIpv4(b, o + 4),
      sport: b.readUInt16BE(o + 8),
      dport: b.readUInt16BE(o + 10),
      endpointId: b.readUInt16LE(o + 12),
      protocol: b[o + 14]!,
      direction: b[o + 15] === 1 ? 'egress' : 'ingress',
    };
  },
};

export const ctValueCodec: Codec<CtValue> = {
  ...structLayout('gw_ct_value', [
    ['created_ns', 'u64'],
    ['last_seen_ns', 'u64'],
    ['packets_fwd', 'u64'],
    ['packets_rev', 'u64'],
    ['lifetime_s', 'u32'],
    ['rule_id', 'u32'],
    ['flags', 'u16'],
    ['rev_nat_index', 'u16'],
    ['pad0', 'u8', 4],
  ]),
  encode(v) {
    const b = Buffer.alloc(48);
    b.writeBigUInt64LE(v.createdNs, 0);
    b.writeBigUInt64LE(v.lastSeenNs, 8);
    b.writeBigUInt64LE(v.packetsFwd, 16);
    b.writeBigUInt64LE(v.packetsRev, 24);
    b.writeUInt32LE(v.lifetimeS, 32);
    b.writeUInt32LE(v.ruleId, 36);
    b.writeUInt16LE(v.flags, 40);
    b.writeUInt16LE(v.revNatIndex ?? 0, 42);
    return b;
  },
  decode(b, o = 0) {
    return {
      createdNs: b.readBigUInt64LE(o),
      lastSeenNs: b.readBigUInt64LE(o + 8),
      packetsFwd: b.readBigUInt64LE(o + 16),
      packetsRev: b.readBigUInt64LE(o + 24),
      lifetimeS: b.readUInt32LE(o + 32),
      ruleId: b.readUInt32LE(o + 36),
      flags: b.readUInt16LE(o + 40),
      revNatIndex: b.readUInt16LE(o + 42),
    };
  },
};

/** The datapath's own rule: an entry is dead once last_seen + lifetime has passed. */
export function ctExpired(v: CtValue, nowNs: bigint): boolean {
  return v.lastSeenNs + BigInt(v.lifetimeS) * 1_000_000_000n < nowNs;
}
