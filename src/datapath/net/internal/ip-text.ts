// How `ip -json` writes what rtnetlink holds, for the readers that parse the
// kernel's answers themselves: the same text, so either reader's output compares.

export function inet4(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** inet_ntop's form: the longest run of two or more zero groups (the first of equals) as `::`, IPv4 tails for ::a.b.c.d and ::ffff:a.b.c.d. */
export function inet6(b: Buffer): string {
  const words = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(2 * i));
  let best = { base: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { base: i, len: j - i };
    i = j;
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      return out + inet4(b.subarray(12, 16));
    }
    out += (words[i] as number).toString(16);
  }
  return best.base !== -1 && best.base + best.len === 8 ? out + ':' : out;
}

export const AF_INET = 2;
export const AF_INET6 = 10;

export function inetAddress(family: number, b: Buffer): string | undefined {
  if (family === AF_INET && b.length >= 4) return inet4(b);
  if (family === AF_INET6 && b.length >= 16) return inet6(b);
  return undefined;
}

// Link types whose hardware address is an IP address.
const ARPHRD_INET4 = new Set([768, 776, 778]);
const ARPHRD_INET6 = new Set([769, 823]);

/** A link-layer address: an IPv4 or IPv6 address for IP tunnels, hex bytes with colons otherwise. */
export function linkAddress(b: Buffer, arphrd: number): string {
  if (b.length === 4 && ARPHRD_INET4.has(arphrd)) return inet4(b);
  if (b.length === 16 && ARPHRD_INET6.has(arphrd)) return inet6(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

const LINK_FLAGS: readonly (readonly [string, number])[] = [
  ['LOOPBACK', 0x8],
  ['BROADCAST', 0x2],
  ['POINTOPOINT', 0x10],
  ['MULTICAST', 0x1000],
  ['NOARP', 0x80],
  ['ALLMULTI', 0x200],
  ['PROMISC', 0x100],
  ['MASTER', 0x400],
  ['SLAVE', 0x800],
  ['DEBUG', 0x4],
  ['DYNAMIC', 0x8000],
  ['AUTOMEDIA', 0x4000],
  ['PORTSEL', 0x2000],
  ['NOTRAILERS', 0x20],
  ['UP', 0x1],
  ['LOWER_UP', 0x10000],
  ['DORMANT', 0x20000],
  ['ECHO', 0x40000],
];
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;

/** ifi_flags as iproute2 lists them; `masterDown`: the link it is stacked on is down (M-DOWN). */
export function linkFlags(flags: number, masterDown: boolean): string[] {
  const out: string[] = [];
  if ((flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) === 0) out.push('NO-CARRIER');
  let rest = flags & ~IFF_RUNNING;
  for (const [name, bit] of LINK_FLAGS) {
    if ((rest & bit) !== 0) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) out.push((rest >>> 0).toString(16));
  if (masterDown) out.push('M-DOWN');
  return out;
}

const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

export const operState = (state: number): string | undefined => OPER_STATES[state];

const ROUTE_FLAGS: readonly (readonly [string, number])[] = [
  ['dead', 0x1],
  ['onlink', 0x4],
  ['pervasive', 0x2],
  ['offload', 0x8],
  ['trap', 0x40],
  ['notify', 0x100],
  ['linkdown', 0x10],
  ['unresolved', 0x20],
  ['rt_offload', 0x4000],
  ['rt_trap', 0x8000],
  ['rt_offload_failed', 0x20000000],
];

export const routeFlags = (flags: number): string[] =>
  ROUTE_FLAGS.filter(([, bit]) => (flags & bit) !== 0).map(([name]) => name);

const SCOPES: Readonly<Record<number, string>> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

export const scopeName = (scope: number): string => SCOPES[scope] ?? String(scope);

// iproute2's names of the kernel's RTPROT_* numbers; names added in /etc/iproute2/rt_protos.d are not read.
const PROTOCOLS: Readonly<Record<number, string>> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
};

export const protocolName = (proto: number): string => PROTOCOLS[proto] ?? String(proto);

const ROUTE_TYPES = [
  'none',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
];

export const routeTypeName = (type: number): string => ROUTE_TYPES[type] ?? String(type);
