// ICMPv4 type names Cilium accepts in `icmps[].fields[].type` (pkg/policy/api/icmp.go).
const ICMP_V4_TYPES: Readonly<Record<string, number>> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  Redirect: 5,
  Echo: 8,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSelection: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  Photuris: 40,
  ExtendedEchoRequest: 42,
  ExtendedEchoReply: 43,
};

/** ICMPv4 type number of a field's `type` (number, numeric string or name); null if unknown. */
export function icmpTypeNumber(type: number | string): number | null {
  const n = typeof type === 'number' ? type : /^\d+$/.test(type) ? Number(type) : ICMP_V4_TYPES[type];
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 255 ? n : null;
}
