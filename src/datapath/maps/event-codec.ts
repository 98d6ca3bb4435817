import type { Direction, Verdict } from '../../desired/desired-state.js';
import { DIRECTION, EVENT_TYPE, REASON, REASON_LIMIT, VERDICT } from './c-enums.js';
import { be16, enumField, ipv4, pad, u16, u32, u64, u8, type FieldType } from './internal/field-types.js';
import { structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors enum gw_reason and struct gw_event in bpf/include/abi/events.h.
export type Reason = keyof typeof REASON.values;
export const REASONS = Object.keys(REASON.values) as readonly Reason[];
/** Size of the counters array; indexes past the last reason are reserved for the load balancer. */
export const REASON_MAX = REASON_LIMIT.values.max;

export type EventType = keyof typeof EVENT_TYPE.values;

export interface DatapathEvent {
  readonly timestampNs: bigint;
  readonly type: EventType;
  readonly reason: Reason | `reason-${number}`;
  readonly direction: Direction;
  readonly endpointId: number;
  readonly ifindex: number;
  readonly srcIdentity: number;
  readonly dstIdentity: number;
  readonly saddr: string;
  readonly daddr: string;
  readonly sport: number;
  /** Destination port, or the ICMP type. */
  readonly dport: number;
  readonly protocol: number;
  /** Verdict of the matching policy entry; null when none matched. */
  readonly verdict: Verdict | null;
  /** DesiredState rule that decided; 0 when no entry matched. */
  readonly ruleId: number;
  readonly length: number;
}

// A reason the mirror does not know is kept by number, so a newer datapath's events still read.
const reasonField: FieldType<DatapathEvent['reason']> = {
  ...enumField(REASON),
  write: (b, o, v) => u8.write(b, o, v.startsWith('reason-') ? Number(v.slice(7)) : REASON.code(v as Reason)),
  read: (b, o) => REASON.name(u8.read(b, o)) ?? `reason-${u8.read(b, o)}`,
};

export const eventCodec: Codec<DatapathEvent> = structCodec(
  'gw_event',
  {
    timestamp_ns: u64,
    src_identity: u32,
    dst_identity: u32,
    saddr: ipv4,
    daddr: ipv4,
    sport: be16,
    dport: be16,
    rule_id: u32,
    ifindex: u32,
    endpoint_id: u16,
    pkt_len: u16,
    type: enumField(EVENT_TYPE),
    reason: reasonField,
    direction: enumField(DIRECTION),
    protocol: u8,
    verdict: enumField(VERDICT),
    pad0: pad(3),
  },
  {
    toFields: (e) => ({
      timestamp_ns: e.timestampNs,
      src_identity: e.srcIdentity,
      dst_identity: e.dstIdentity,
      saddr: e.saddr,
      daddr: e.daddr,
      sport: e.sport,
      dport: e.dport,
      rule_id: e.ruleId,
      ifindex: e.ifindex,
      endpoint_id: e.endpointId,
      pkt_len: e.length,
      type: e.type,
      reason: e.reason,
      direction: e.direction,
      protocol: e.protocol,
      verdict: e.verdict ?? ('none' as const),
    }),
    fromFields: (f) => ({
      timestampNs: f.timestamp_ns,
      srcIdentity: f.src_identity,
      dstIdentity: f.dst_identity,
      saddr: f.saddr,
      daddr: f.daddr,
      sport: f.sport,
      dport: f.dport,
      ruleId: f.rule_id,
      ifindex: f.ifindex,
      endpointId: f.endpoint_id,
      length: f.pkt_len,
      type: f.type ?? 'drop',
      reason: f.reason,
      direction: f.direction ?? 'ingress',
      protocol: f.protocol,
      verdict: f.verdict === 'none' ? null : f.verdict,
    }),
  },
);
