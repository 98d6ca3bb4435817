// IPv4 arithmetic on unsigned 32-bit numbers.

export interface Cidr {
  readonly base: number;
  readonly bits: number;
}

/** `a.b.c.d`, each part 1-3 digits up to 255. A character loop: compile parses every endpoint and ipcache prefix. */
export function parseIpv4(text: string): number | null {
  let n = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  // The end of the text closes the last part, as a dot closes the others.
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      part = part * 10 + c - 48;
      if (++digits > 3) return null;
      continue;
    }
    if (c !== 46 || digits === 0 || part > 255 || ++parts > 4) return null;
    n = n * 256 + part;
    part = 0;
    digits = 0;
  }
  return parts === 4 ? n : null;
}

export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffff_ffff << (32 - bits)) >>> 0;
}

/** Parses `a.b.c.d/n` (or a bare address as /32) and clears host bits; null for anything else (IPv6 included). */
export function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return null;
  const ip = parseIpv4(addr);
  const bits = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (ip === null || !(bits >= 0 && bits <= 32)) return null;
  return { base: (ip & mask(bits)) >>> 0, bits };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.base)}/${c.bits}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.bits);
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return (ip & mask(c.bits)) >>> 0 === c.base;
}

/** The MAC gitwire gives an endpoint: `0a:58:` and the four address bytes, as the Kubernetes bridge plugin does. */
export function macFromIpv4(ip: number): string {
  const bytes = [0x0a, 0x58, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
