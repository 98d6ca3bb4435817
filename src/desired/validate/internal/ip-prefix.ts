import { parseIpv4 as dottedQuad } from '../../compile/ipv4.js';

/** An IPv4 or IPv6 prefix as numbers, for containment and overlap checks. */
export interface IpPrefix {
  readonly family: 4 | 6;
  readonly addr: bigint;
  readonly bits: number;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

const LEADING_ZERO = /(?:^|\.)0[0-9]/;

/** A dotted-quad IPv4 address as a number (32 bits are exact in a double); null unless well formed, without leading zeros. */
export function ipv4Number(text: string): number | null {
  return LEADING_ZERO.test(text) ? null : dottedQuad(text);
}

export function parseIpv4(text: string): bigint | null {
  const v = ipv4Number(text);
  return v === null ? null : BigInt(v);
}

export function parseIpv6(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): bigint[] | null => {
    if (s === '') return [];
    const out: bigint[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === null) return null;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (HEX_GROUP.test(p)) out.push(BigInt(`0x${p}`));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  let v = 0n;
  for (const g of [...head, ...Array<bigint>(missing).fill(0n), ...tail]) v = (v << 16n) | g;
  return v;
}

export function parseIp(text: string): { family: 4 | 6; addr: bigint } | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, addr: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : null;
  return v6 === null ? null : { family: 6, addr: v6 };
}

/** Parses `address/length`; null unless both parts are well formed. */
export function parsePrefix(text: string): IpPrefix | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(lenText)) return null;
  const bits = Number(lenText);
  if (bits > (ip.family === 4 ? 32 : 128)) return null;
  return { family: ip.family, addr: ip.addr, bits };
}

function width(family: 4 | 6): bigint {
  return family === 4 ? 32n : 128n;
}

function mask(p: IpPrefix): bigint {
  const w = width(p.family);
  return ((1n << w) - 1n) ^ ((1n << (w - BigInt(p.bits))) - 1n);
}

export function hasHostBits(p: IpPrefix): boolean {
  return (p.addr & mask(p)) !== p.addr;
}

export function containsAddr(p: IpPrefix, family: 4 | 6, addr: bigint): boolean {
  if (p.family !== family) return false;
  return family === 4 ? containsIpv4(p, Number(addr)) : (addr & mask(p)) === (p.addr & mask(p));
}

/** containsAddr for an IPv4 address given as a number, without BigInt steps (they allocate). */
export function containsIpv4(p: IpPrefix, addr: number): boolean {
  if (p.family !== 4) return false;
  const span = 2 ** (32 - p.bits);
  return Math.floor(addr / span) === Math.floor(Number(p.addr) / span);
}

/** True when every address of `inner` lies in `outer`. */
export function containsPrefix(outer: IpPrefix, inner: IpPrefix): boolean {
  return inner.bits >= outer.bits && containsAddr(outer, inner.family, inner.addr);
}

export function overlaps(a: IpPrefix, b: IpPrefix): boolean {
  return containsPrefix(a, b) || containsPrefix(b, a);
}

export function formatPrefix(p: IpPrefix): string {
  return `${formatIp(p.family, p.addr & mask(p))}/${p.bits}`;
}

function formatIp(family: 4 | 6, addr: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((addr >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
