// TCP/IPv4 frames with correct checksums, for tests that check what NAT did to them.

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

function tcpSum(b: Buffer): number {
  const len = b.length - 34;
  const pseudo = sum16(b, 26, 34) + 6 + len;
  return sum16(b, 34, b.length, pseudo);
}

/** An Ethernet + IPv4 + TCP frame (8 bytes of payload) with valid IP and TCP checksums. */
export function tcpPacket(p: TcpSpec): Buffer {
  const b = Buffer.alloc(14 + 20 + 20 + 8);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(48, 16);
  b[22] = 64;
  b[23] = 6;
  ip(b, 26, p.saddr);
  ip(b, 30, p.daddr);
  b.writeUInt16BE(~sum16(b, 14, 34) & 0xffff, 24);
  b.writeUInt16BE(p.sport, 34);
  b.writeUInt16BE(p.dport, 36);
  b[46] = 0x50;
  b[47] = p.flags;
  b.write('gitwire!', 54);
  b.writeUInt16BE(~tcpSum(b) & 0xffff, 50);
  return b;
}

export function readTuple(b: Buffer): { saddr: string; daddr: string; sport: number; dport: number } {
  return { saddr: str(b, 26), daddr: str(b, 30), sport: b.readUInt16BE(34), dport: b.readUInt16BE(36) };
}

/** Both checksums of a frame made by tcpPacket verify. */
export function validChecksums(b: Buffer): boolean {
  return sum16(b, 14, 34) === 0xffff && tcpSum(b) === 0xffff;
}
