import type { Direction, Verdict } from '../../desired/desired-state.js';
import { readIpv4 } from './internal/inet.js';
import { structLayout, type Codec } from './internal/struct-layout.js';

// Mirrors enum gw_reason and struct gw_event in bpf/include/events.h.
export const REASONS = [
  'unspec',
  'allowed',
  'redirect',
  'not-enforced',
  'ct-reply',
  'not-ip',
  'no-endpoint',
  'audit',
  'denied-policy',
  'denied-default',
  'ipv6',
  'malformed',
  'invalid-source',
  'event-suppressed',
  'event-lost',
  'reserved-15',
  'lb-no-backend',
  'lb-backend-missing',
  'lb-nodeport',
  'lb-nodeport-reply',
] as const;
export type Reason = (typeof REASONS)[number];
/** Size of the counters array; indexes past REASONS are reserved for the load balancer. */
export const REASON_MAX = 32;

export type EventType = 'drop' | 'verdict' | 'audit';
const EVENT_TYPES: Readonly<Record<number, EventType>> = { 1: 'drop', 2: 'verdict', 3: 'audit' };
const VERDICTS: Readonly<Record<number, Verdict | null>> = { 0: null, 1: 'allow', 2: 'deny', 3: 'redirect' };

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

export const eventCodec: Omit<Codec<DatapathEvent>, 'encode'> = {
  ...structLayout('gw_event', [
    ['timestamp_ns', 'u64'],
    ['src_identity', 'u32'],
    ['dst_identity', 'u32'],
    ['saddr', 'be32'],
    ['daddr', 'be32'],
    ['sport', 'be16'],
    ['dport', 'be16'],
    ['rule_id', 'u32'],
    ['ifindex', 'u32'],
    ['endpoint_id', 'u16'],
    ['pkt_len', 'u16'],
    ['type', 'u8'],
    ['reason', 'u8'],
    ['direction', 'u8'],
    ['protocol', 'u8'],
    ['verdict', 'u8'],
    ['pad0', 'u8', 3],
  ]),
  decode(b, o = 0) {
    const reason = b[o + 41]!;
    return {
      timestampNs: b.readBigUInt64LE(o),
      srcIdentity: b.readUInt32LE(o + 8),
      dstIdentity: b.readUInt32LE(o + 12),
      saddr: readIpv4(b, o + 16),
      daddr: readIpv4(b, o + 20),
      sport: b.readUInt16BE(o + 24),
      dport: b.readUInt16BE(o + 26),
      ruleId: b.readUInt32LE(o + 28),
      ifindex: b.readUInt32LE(o + 32),
      endpointId: b.readUInt16LE(o + 36),
      length: b.readUInt16LE(o + 38),
      type: EVENT_TYPES[b[o + 40]!] ?? 'drop',
      reason: REASONS[reason] ?? `reason-${reason}`,
      direction: b[o + 42] === 1 ? 'egress' : 'ingress',
      protocol: b[o + 43]!,
      verdict: VERDICTS[b[o + 44]!] ?? null,
    };
  },
};
