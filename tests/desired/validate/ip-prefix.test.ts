import { describe, expect, it } from 'vitest';
import {
  containsAddr,
  containsIpv4,
  ipv4Number,
  parseIpv4,
  parsePrefix,
} from '../../../src/desired/validate/internal/ip-prefix.js';

/** The grammar the character loop implements: four decimal parts 0-255, no leading zeros. */
const byGrammar = (text: string): number | null => {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((v, p) => v * 256 + Number(p), 0);
};

describe('IPv4 addresses as numbers', () => {
  it('reads what the dotted-quad grammar accepts, and nothing else', () => {
    const texts = [
      '0.0.0.0',
      '255.255.255.255',
      '10.96.0.1',
      '192.168.1.10',
      '256.1.1.1',
      '1.2.3.256',
      '01.2.3.4',
      '1.2.3.04',
      '1.2.3.00',
      '1.2.3',
      '1.2.3.4.5',
      '1..3.4',
      '.1.2.3',
      '1.2.3.',
      '',
      '1.2.3.4 ',
      '1.2.3.1000',
      '1.2.3.-1',
      'a.b.c.d',
      '::1',
    ];
    for (const t of texts) expect([t, ipv4Number(t)]).toEqual([t, byGrammar(t)]);
    expect(parseIpv4('10.0.0.1')).toBe(0x0a000001n);
  });

  it('tells containment as a comparison of the leading bits does', () => {
    const prefixes = [
      '10.0.0.0/8',
      '10.96.0.0/12',
      '10.1.2.0/24',
      '0.0.0.0/0',
      '10.1.2.3/32',
      '10.1.2.3/31',
      'fd00::/8',
    ];
    const addresses = ['10.0.0.0', '10.255.255.255', '11.0.0.0', '10.96.0.1', '10.111.255.255', '10.112.0.0'];
    for (const p of prefixes.map((t) => parsePrefix(t)!))
      for (const a of addresses) {
        const shift = BigInt(32 - p.bits);
        const expected = p.family === 4 && parseIpv4(a)! >> shift === p.addr >> shift;
        expect(containsIpv4(p, ipv4Number(a)!)).toBe(expected);
        expect(containsAddr(p, 4, parseIpv4(a)!)).toBe(expected);
      }
  });
});
