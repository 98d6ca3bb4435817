// Crafted Ethernet/IPv4 frames for BPF_PROG_TEST_RUN. Checksums are left
// zero: the endpoint program never checks them.

export interface PacketSpec {
  readonly saddr: string;
  readonly daddr: string;
  readonly protocol: 'tcp' | 'udp' | 'icmp';
  readonly sport?: number;
  readonly dport?: number;
  /** TCP flags byte; SYN by default. */
  readonly tcpFlags?: number;
  readonly icmpType?: number;
  readonly icmpId?: number;
}

export const TCP_SYN = 0x02;
export const TCP_ACK = 0x10;

const PROTO = { tcp: 6, udp: 17, icmp: 1 } as const;

function ipv4(buf: Buffer, off: number, addr: string): void {
  addr.split('.').forEach((p, i) => (buf[off + i] = Number(p)));
}

export function ipv4Packet(p: PacketSpec): Buffer {
  const l4 = p.protocol === 'tcp' ? 20 : 8;
  const b = Buffer.alloc(14 + 20 + l4 + 8);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(20 + l4 + 8, 16);
  b[22] = 64;
  b[23] = PROTO[p.protocol];
  ipv4(b, 26, p.saddr);
  ipv4(b, 30, p.daddr);
  const o = 34;
  if (p.protocol === 'icmp') {
    b[o] = p.icmpType ?? 8;
    b.writeUInt16BE(p.icmpId ?? 1, o + 4);
  } else {
    b.writeUInt16BE(p.sport ?? 40000, o);
    b.writeUInt16BE(p.dport ?? 80, o + 2);
    if (p.protocol === 'tcp') {
      b[o + 12] = 0x50;
      b[o + 13] = p.tcpFlags ?? TCP_SYN;
    }
  }
  return b;
}

export function ipv6Packet(): Buffer {
  const b = Buffer.alloc(14 + 40 + 8);
  b.writeUInt16BE(0x86dd, 12);
  b[14] = 0x60;
  return b;
}

export function arpPacket(): Buffer {
  const b = Buffer.alloc(14 + 28);
  b.writeUInt16BE(0x0806, 12);
  return b;
}
