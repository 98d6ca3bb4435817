import { isIPv4 } from 'node:net';

export class AddressError extends Error {
  readonly code = 'INVALID_ADDRESS';
}

/** Writes a dotted IPv4 address in network byte order. */
export function writeIpv4(buf: Buffer, offset: number, address: string): void {
  if (!isIPv4(address)) throw new AddressError(`not an IPv4 address: ${address}`);
  const parts = address.split('.');
  for (let i = 0; i < 4; i++) buf[offset + i] = Number(parts[i]);
}

export function readIpv4(buf: Buffer, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** `10.0.0.0/8` → address and length; a bare address is a /32. */
export function parsePrefix(prefix: string): { address: string; length: number } {
  const [address = '', len] = prefix.split('/');
  const length = len === undefined ? 32 : Number(len);
  if (!isIPv4(address) || !Number.isInteger(length) || length < 0 || length > 32) {
    throw new AddressError(`not an IPv4 prefix: ${prefix}`);
  }
  return { address, length };
}

/** Zeroes the bits after `length` in 4 network-order bytes at offset. */
export function maskIpv4(buf: Buffer, offset: number, length: number): void {
  const host = buf.readUInt32BE(offset);
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  buf.writeUInt32BE((host & mask) >>> 0, offset);
}

export function writeMac(buf: Buffer, offset: number, mac: string): void {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new AddressError(`not a MAC address: ${mac}`);
  }
  parts.forEach((p, i) => (buf[offset + i] = parseInt(p, 16)));
}

export function readMac(buf: Buffer, offset: number): string {
  return Array.from(buf.subarray(offset, offset + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}
