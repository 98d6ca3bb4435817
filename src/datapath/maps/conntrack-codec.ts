import type { Direction } from '../../desired/desired-state.js';
import { CT_FLAG, DIRECTION } from './c-enums.js';
import { be16, enumField, ipv4, pad, u16, u32, u64, u8 } from './internal/field-types.js';
import { structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/abi/conntrack.h.
export const CT_FWD_FIN = CT_FLAG.values['fwd-fin'];
export const CT_REV_FIN = CT_FLAG.values['rev-fin'];
export const CT_RST = CT_FLAG.values.rst;
export const CT_SEEN_REPLY = CT_FLAG.values['seen-reply'];
export const CT_AUDIT = CT_FLAG.values.audit;

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

export const ctKeyCodec: Codec<CtKey> = structCodec(
  'gw_ct_key',
  {
    saddr: ipv4,
    daddr: ipv4,
    sport: be16,
    dport: be16,
    endpoint_id: u16,
    protocol: u8,
    direction: enumField(DIRECTION),
  },
  {
    toFields: (k) => ({ ...k, endpoint_id: k.endpointId }),
    fromFields: (f) => ({
      saddr: f.saddr,
      daddr: f.daddr,
      sport: f.sport,
      dport: f.dport,
      endpointId: f.endpoint_id,
      protocol: f.protocol,
      direction: f.direction ?? 'ingress',
    }),
  },
);

export const ctValueCodec: Codec<CtValue> = structCodec(
  'gw_ct_value',
  {
    created_ns: u64,
    last_seen_ns: u64,
    packets_fwd: u64,
    packets_rev: u64,
    lifetime_s: u32,
    rule_id: u32,
    flags: u16,
    rev_nat_index: u16,
    pad0: pad(4),
  },
  {
    toFields: (v) => ({
      created_ns: v.createdNs,
      last_seen_ns: v.lastSeenNs,
      packets_fwd: v.packetsFwd,
      packets_rev: v.packetsRev,
      lifetime_s: v.lifetimeS,
      rule_id: v.ruleId,
      flags: v.flags,
      rev_nat_index: v.revNatIndex ?? 0,
    }),
    fromFields: (f) => ({
      createdNs: f.created_ns,
      lastSeenNs: f.last_seen_ns,
      packetsFwd: f.packets_fwd,
      packetsRev: f.packets_rev,
      lifetimeS: f.lifetime_s,
      ruleId: f.rule_id,
      flags: f.flags,
      revNatIndex: f.rev_nat_index,
    }),
  },
);

/** The datapath's own rule: an entry is dead once last_seen + lifetime has passed. */
export function ctExpired(v: CtValue, nowNs: bigint): boolean {
  return v.lastSeenNs + BigInt(v.lifetimeS) * 1_000_000_000n < nowNs;
}
