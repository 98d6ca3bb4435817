import { describe, expect, it } from 'vitest';
import type { EndpointValue } from '../../../src/desired/desired-state.js';
import { endpointMark, parseEndpointMark } from '../../../src/datapath/net/internal/ownership.js';
import { tunnelNextHop, vtepMac } from '../../../src/datapath/net/internal/vtep.js';
import { StalledError } from '../../../src/datapath/net/stalled-error.js';

const ep: EndpointValue = {
  id: 7,
  name: 'deathstar-1',
  namespace: 'empire',
  address: '10.244.1.7',
  mac: '0a:58:0a:f4:01:07',
  ifName: 'lxc0123456789ab',
  gateway: '10.244.1.1',
  netns: 'gw-node-1-empire-deathstar-1',
  identity: 0x1000101,
  enforceIngress: true,
  enforceEgress: false,
  audit: true,
};

describe('endpoint ownership mark', () => {
  it('gives back the key and the fields no plumbing object holds', () => {
    const mark = endpointMark('node-1', 'empire/deathstar-1', ep);
    expect(parseEndpointMark('node-1', mark)).toEqual({
      key: 'empire/deathstar-1',
      id: 7,
      namespace: 'empire',
      name: 'deathstar-1',
      identity: 0x1000101,
      enforceIngress: true,
      enforceEgress: false,
      audit: true,
    });
  });

  it('survives separators, spaces and quotes in the key', () => {
    const key = `we|ird key's "name"`;
    const mark = endpointMark('n', key, ep);
    expect(mark).not.toMatch(/[\s'"]/);
    expect(parseEndpointMark('n', mark)?.key).toBe(key);
  });

  it('is not recognised for another node', () => {
    expect(parseEndpointMark('node-2', endpointMark('node-1', 'k', ep))).toBeNull();
    expect(parseEndpointMark('node-1', undefined)).toBeNull();
    expect(parseEndpointMark('node-1', 'gitwire:node-1')).toBeNull();
  });

  it('stalls when it would not fit the 255-byte interface alias', () => {
    expect(() => endpointMark('n', 'k'.repeat(250), ep)).toThrow(StalledError);
  });
});

describe('VTEP addressing', () => {
  it('derives a locally administered unicast MAC from the underlay address', () => {
    expect(vtepMac('10.250.0.2')).toBe('0a:67:0a:fa:00:02');
    expect(vtepMac('192.168.255.1')).toBe('0a:67:c0:a8:ff:01');
  });

  it('takes the first host address of a remote pod CIDR as its next hop', () => {
    expect(tunnelNextHop('10.244.2.0/24')).toBe('10.244.2.1');
    expect(tunnelNextHop('10.244.2.77/24')).toBe('10.244.2.1');
    expect(tunnelNextHop('172.16.128.0/17')).toBe('172.16.128.1');
    expect(tunnelNextHop('10.0.0.5/32')).toBe('10.0.0.5');
  });
});
