import { describe, expect, it } from 'vitest';
import { inet6, linkAddress, linkFlags, routeFlags } from '../../../src/datapath/net/internal/ip-text.js';

const v6 = (words: number[]): Buffer => {
  const b = Buffer.alloc(16);
  words.forEach((w, i) => b.writeUInt16BE(w, 2 * i));
  return b;
};

describe('ip text of netlink values', () => {
  // What glibc's inet_ntop (and so `ip`) prints for each address.
  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0x102, 0x304], '::1.2.3.4'],
    [[0, 0, 0, 0, 0, 0xffff, 0x102, 0x304], '::ffff:1.2.3.4'],
    [[0, 0, 0, 0, 0, 1, 0, 0], '::1:0:0'],
    [[1, 0, 0, 1, 0, 0, 0, 1], '1:0:0:1::1'],
    [[1, 0, 1, 0, 1, 0, 1, 0], '1:0:1:0:1:0:1:0'],
    [[0, 0, 1, 0, 0, 0, 0, 0], '0:0:1::'],
    [[0xfe80, 0, 0, 0, 0x1829, 0xffff, 0xfe78, 0x6abd], 'fe80::1829:ffff:fe78:6abd'],
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], '2001:db8::'],
  ])('writes %j as %s', (words, text) => {
    expect(inet6(v6(words))).toBe(text);
  });

  it('lists link flags in iproute2 order, NO-CARRIER first and M-DOWN last', () => {
    // UP without RUNNING, BROADCAST, MULTICAST.
    expect(linkFlags(0x1 | 0x2 | 0x1000, true)).toEqual(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP', 'M-DOWN']);
    expect(linkFlags(0x8 | 0x1 | 0x40 | 0x10000, false)).toEqual(['LOOPBACK', 'UP', 'LOWER_UP']);
    expect(linkFlags(0x1 | 0x40 | 0x80000, false)).toEqual(['UP', '80000']);
  });

  it('lists route flags and writes link-layer addresses as iproute2 does', () => {
    expect(routeFlags(0x4 | 0x10)).toEqual(['onlink', 'linkdown']);
    expect(linkAddress(Buffer.from([2, 0, 0x0a, 0x4d, 0, 1]), 1)).toBe('02:00:0a:4d:00:01');
    expect(linkAddress(Buffer.from([10, 0, 0, 1]), 768)).toBe('10.0.0.1');
  });
});
