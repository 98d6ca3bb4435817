// TCP and UDP over IPv4 with correct checksums, for tests that check what NAT did to them.

export interface TcpSpec {
  readonly saddr: string;
  readonly daddr: string;
  readonly sport: number;
  readonly dport: number;
  readonly flags: number;
}

const ip = (b: Buffer, o: number, a: string) => a.split('.').forEach((p, i) => (b[o + i] = Number(p)));
const str = (b: Buffer, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function sum16(b: Buffer, from: number, to: number, initial = 0): number {
  let s = initial;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
  return fold(s);
}

function l4Sum(b: Buffer): number {
  const len = b.length - 34;
  const pseudo = sum16(b, 26, 34) + b[23]! + len;
  return sum16(b, 34, b.length, pseudo);
}

function ipHeader(b: Buffer, protocol: number, saddr: string, daddr: string): void {
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(b.length - 14, 16);
  b[22] = 64;
  b[23] = protocol;
  ip(b, 26, saddr);
  ip(b, 30, daddr);
  b.writeUInt16BE(~sum16(b, 14, 34) & 0xffff, 24);
}

/** An Ethernet + IPv4 + TCP frame (8 bytes of payload) with valid IP and TCP checksums. */
export function tcpPacket(p: TcpSpec): Buffer {
  const b = Buffer.alloc(14 + 20 + 20 + 8);
  ipHeader(b, 6, p.saddr, p.daddr);
  b.writeUInt16BE(p.sport, 34);
  b.writeUInt16BE(p.dport, 36);
  b[46] = 0x50;
  b[47] = p.flags;
  b.write('gitwire!', 54);
  b.writeUInt16BE(~l4Sum(b) & 0xffff, 50);
  return b;
}

/** An Ethernet + IPv4 + UDP datagram (8 bytes of payload); `noChecksum` sends a UDP checksum of 0 (none). */
export function udpPacket(p: Omit<TcpSpec, 'flags'> & { readonly noChecksum?: boolean }): Buffer {
  const b = Buffer.alloc(14 + 20 + 8 + 8);
  ipHeader(b, 17, p.saddr, p.daddr);
  b.writeUInt16BE(p.sport, 34);
  b.writeUInt16BE(p.dport, 36);
  b.writeUInt16BE(16, 38);
  b.write('gitwire!', 42);
  if (!p.noChecksum) b.writeUInt16BE(~l4Sum(b) & 0xffff || 0xffff, 40);
  return b;
}

/** The UDP checksum field of a frame made by udpPacket. */
export function udpChecksum(b: Buffer): number {
  return b.readUInt16BE(40);
}

export function readTuple(b: Buffer): { saddr: string; daddr: string; sport: number; dport: number } {
  return { saddr: str(b, 26), daddr: str(b, 30), sport: b.readUInt16BE(34), dport: b.readUInt16BE(36) };
}

/** Both checksums of a frame made by tcpPacket or udpPacket (with a checksum) verify. */
export function validChecksums(b: Buffer): boolean {
  return sum16(b, 14, 34) === 0xffff && l4Sum(b) === 0xffff;
}
