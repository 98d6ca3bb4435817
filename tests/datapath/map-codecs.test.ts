import { describe, expect, it } from 'vitest';
import type { PolicyValue } from '../../src/desired/desired-state.js';
import {
  ctKeyCodec,
  ctExpired,
  endpointKeyCodec,
  endpointValueCodec,
  eventCodec,
  ipcacheFromMap,
  ipcacheKeyCodec,
  ipcacheValueCodec,
  policyFromMap,
  policyKeyCodec,
  policyValueCodec,
  LB_TYPE,
  sumPerCpu,
  type CtValue,
} from '../../src/datapath/maps/index.js';
import { cEnum } from '../../src/datapath/maps/internal/c-enum.js';
import { cstr, enumField, pad, u16, u32, u64, u8 } from '../../src/datapath/maps/internal/field-types.js';
import { structCodec } from '../../src/datapath/maps/internal/struct-layout.js';

const policy: PolicyValue = {
  endpointId: 513,
  direction: 'egress',
  identity: 16777217,
  protocol: 6,
  port: 8080,
  portPrefixLen: 14,
  verdict: 'redirect',
  proxyPort: 15001,
  ruleId: 77,
};

describe('policy codec', () => {
  it('round-trips a DesiredState policy entry through key and value bytes', () => {
    expect(policyFromMap(policyKeyCodec.encode(policy), policyValueCodec.encode(policy))).toEqual(policy);
  });

  it('writes the LPM prefix as fixed part + protocol + port prefix, port in network order', () => {
    const k = policyKeyCodec.encode(policy);
    expect(k.readUInt32LE(0)).toBe(56 + 8 + 14);
    expect(k.readUInt16BE(12)).toBe(8080);
    expect(k[10]).toBe(1);
  });

  it('makes protocol 0 a wildcard covering only the fixed part, with no port', () => {
    const k = policyKeyCodec.encode({ ...policy, protocol: 0, port: 80, portPrefixLen: 16 });
    expect(k.readUInt32LE(0)).toBe(56);
    expect(policyKeyCodec.decode(k)).toMatchObject({ protocol: 0, port: 0, portPrefixLen: 0 });
  });

  it('clears port bits beyond the prefix so one match has one key', () => {
    const a = policyKeyCodec.encode({ ...policy, port: 8081 });
    const b = policyKeyCodec.encode({ ...policy, port: 8080 });
    expect(a.equals(b)).toBe(true);
  });

  it('rejects a port prefix longer than 16 bits', () => {
    expect(() => policyKeyCodec.encode({ ...policy, portPrefixLen: 17 })).toThrow(/0\.\.16/);
  });
});

describe('ipcache codec', () => {
  it('round-trips a prefix with its identity and tunnel endpoint, host bits cleared', () => {
    const key = ipcacheKeyCodec.encode('10.1.2.3/16');
    const value = ipcacheValueCodec.encode({ identity: 300, tunnelEndpoint: '192.168.0.7' });
    expect(ipcacheFromMap(key, value)).toEqual({ prefix: '10.1.0.0/16', identity: 300, tunnelEndpoint: '192.168.0.7' });
  });

  it('maps a local prefix (no tunnel) to a zero tunnel endpoint and back to null', () => {
    const value = ipcacheValueCodec.encode({ identity: 2, tunnelEndpoint: null });
    expect(value.readUInt32BE(4)).toBe(0);
    expect(ipcacheValueCodec.decode(value).tunnelEndpoint).toBeNull();
  });

  it('rejects something that is not an IPv4 prefix', () => {
    expect(() => ipcacheKeyCodec.encode('10.0.0.0/33')).toThrow(/IPv4 prefix/);
  });
});

describe('endpoint codec', () => {
  it('round-trips flags, MAC and interface name', () => {
    const v = {
      ifindex: 12,
      identity: 4000,
      id: 9,
      enforceIngress: true,
      enforceEgress: false,
      audit: true,
      mac: '02:ab:00:00:00:09',
      ifName: 'lxc0123456789ab',
    };
    expect(endpointValueCodec.decode(endpointValueCodec.encode(v))).toEqual(v);
    expect(endpointKeyCodec.decode(endpointKeyCodec.encode('10.0.1.5'))).toBe('10.0.1.5');
  });
});

describe('conntrack codec', () => {
  it('round-trips a tuple and judges expiry as the datapath does', () => {
    const k = {
      saddr: '10.0.0.1',
      daddr: '10.0.0.2',
      sport: 40000,
      dport: 80,
      endpointId: 3,
      protocol: 6,
      direction: 'ingress' as const,
    };
    expect(ctKeyCodec.decode(ctKeyCodec.encode(k))).toEqual(k);
    const v: CtValue = {
      createdNs: 1n,
      lastSeenNs: 10_000_000_000n,
      packetsFwd: 1n,
      packetsRev: 0n,
      lifetimeS: 60,
      ruleId: 0,
      flags: 0,
    };
    expect(ctExpired(v, 70_000_000_000n)).toBe(false);
    expect(ctExpired(v, 70_000_000_001n)).toBe(true);
  });
});

describe('event and counter codecs', () => {
  it('decodes an event with network-order addresses and ports', () => {
    const b = Buffer.alloc(eventCodec.size);
    b.writeBigUInt64LE(5n, 0);
    b.writeUInt32LE(2, 8);
    b.writeUInt32LE(1000, 12);
    Buffer.from([10, 0, 0, 9]).copy(b, 16);
    Buffer.from([10, 0, 0, 2]).copy(b, 20);
    b.writeUInt16BE(5555, 24);
    b.writeUInt16BE(443, 26);
    b.writeUInt32LE(31, 28);
    b[40] = 1;
    b[41] = 9;
    b[43] = 6;
    expect(eventCodec.decode(b)).toMatchObject({
      type: 'drop',
      reason: 'denied-default',
      direction: 'ingress',
      srcIdentity: 2,
      dstIdentity: 1000,
      saddr: '10.0.0.9',
      daddr: '10.0.0.2',
      sport: 5555,
      dport: 443,
      ruleId: 31,
      verdict: null,
    });
  });

  it('sums per-CPU counter slots', () => {
    const b = Buffer.alloc(32);
    b.writeBigUInt64LE(3n, 0);
    b.writeBigUInt64LE(300n, 8);
    b.writeBigUInt64LE(4n, 16);
    b.writeBigUInt64LE(400n, 24);
    expect(sumPerCpu(b)).toEqual({ packets: 7n, bytes: 700n });
  });
});

describe('field lists', () => {
  const COLOR = cEnum('gw_color', 'GW_COLOR_', { red: 1, deepBlue: 7 });
  const codec = structCodec(
    'gw_example',
    { a: u8, b: u32, c: enumField(COLOR), pad0: pad(1), d: u16, e: u64, f: cstr(4) },
    {
      toFields: (v: { a: number; c: 'red' | 'deepBlue' | null }) => ({ ...v, b: 0, d: 0, e: 0n, f: '' }),
      fromFields: (f) => f,
    },
  );

  it('lays fields out with C natural alignment and rounds the size to the widest field', () => {
    expect(codec.offsets).toEqual({ a: 0, b: 4, c: 8, pad0: 9, d: 10, e: 16, f: 24 });
    expect(codec.size).toBe(32);
  });

  it('reads an enum value the mirror does not know as null, and refuses to write null', () => {
    const b = codec.encode({ a: 1, c: 'deepBlue' });
    expect(b[8]).toBe(7);
    b[8] = 3;
    expect(codec.decodeFields(b).c).toBeNull();
    expect(() => codec.encodeFields({ ...codec.decodeFields(b) })).toThrow(/gw_color/);
  });

  it('keeps room for the NUL of a C string', () => {
    expect(() => codec.encodeFields({ a: 0, b: 0, c: 'red', d: 0, e: 0n, f: 'abcd' })).toThrow(/3 bytes/);
  });

  it('names C constants as the headers do', () => {
    expect(COLOR.constants).toEqual({ red: 'GW_COLOR_RED', deepBlue: 'GW_COLOR_DEEP_BLUE' });
    expect(LB_TYPE.constants.ClusterIP).toBe('GW_LB_TYPE_CLUSTER_IP');
  });

  it('keeps an event reason the mirror does not know by number', () => {
    const b = Buffer.alloc(eventCodec.size);
    b[40] = 1;
    b[41] = 25;
    expect(eventCodec.decode(b).reason).toBe('reason-25');
  });
});
