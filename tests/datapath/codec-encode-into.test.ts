import { describe, expect, it } from 'vitest';
import { endpointValueCodec, policyKeyCodec, policyValueCodec } from '../../src/datapath/maps/index.js';

describe('a codec encoding into a batch buffer', () => {
  it('writes at the offset the bytes encode gives, padding zero even over old bytes, and nothing else', () => {
    const key = {
      endpointId: 7,
      direction: 'egress',
      identity: 4242,
      protocol: 6,
      port: 8080,
      portPrefixLen: 16,
    } as const;
    const value = { verdict: 'redirect', proxyPort: 15001, ruleId: 9 } as const;
    const lxc = {
      ifindex: 12,
      identity: 5,
      id: 3,
      enforceIngress: true,
      enforceEgress: false,
      audit: true,
      mac: '0a:58:0a:00:01:0a',
      ifName: 'lxc0',
    };
    for (const [codec, v] of [
      [policyKeyCodec, key],
      [policyValueCodec, value],
      [endpointValueCodec, lxc],
    ] as const) {
      const buf = Buffer.alloc(codec.size + 6, 0xee);
      (codec.encodeInto as (v: unknown, b: Buffer, o: number) => void)(v, buf, 3);
      expect(buf.subarray(3, 3 + codec.size)).toEqual((codec.encode as (v: unknown) => Buffer)(v));
      expect([...buf.subarray(0, 3), ...buf.subarray(3 + codec.size)]).toEqual(Array(6).fill(0xee));
    }
  });
});
