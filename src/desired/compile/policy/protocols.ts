import type { Protocol } from '../../schema/cilium-policy.js';

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_SCTP = 132;

/** `ANY` (or no protocol) in a port rule means each of TCP, UDP and SCTP, as in Cilium. */
const L4_ANY = [PROTO_TCP, PROTO_UDP, PROTO_SCTP];

const NUMBERS: Readonly<Record<Exclude<Protocol, 'ANY'>, number>> = {
  TCP: PROTO_TCP,
  UDP: PROTO_UDP,
  SCTP: PROTO_SCTP,
  VRRP: 112,
  IGMP: 2,
  GRE: 47,
  IPIP: 4,
  IPV6: 41,
  ESP: 50,
  AH: 51,
};

export function protocolNumbers(p: Protocol | undefined): number[] {
  return p === undefined || p === 'ANY' ? [...L4_ANY] : [NUMBERS[p]];
}

/** Protocols that carry ports; for the others a port rule matches the whole protocol. */
export function hasPorts(proto: number): boolean {
  return proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP;
}

export function protocolName(proto: number): string {
  if (proto === PROTO_ICMP) return 'ICMP';
  return Object.entries(NUMBERS).find(([, n]) => n === proto)?.[0] ?? String(proto);
}
