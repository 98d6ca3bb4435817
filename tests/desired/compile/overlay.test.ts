import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import { ModelBuilder } from '../../support/model-builder.js';

const cluster = (spec: object) =>
  new ModelBuilder()
    .cluster(spec)
    .node('n1', '192.168.1.1', '10.0.1.0/24')
    .node('n2', '192.168.1.2', '10.0.2.0/24')
    .node('n3', '192.168.1.3', '10.0.3.0/24')
    .endpoint('a', 'n1', { address: '10.0.1.10' })
    .endpoint('b', 'n2', { address: '10.0.2.20' });

describe('overlay compile', () => {
  it('tunnels to every other node through one vxlan device on port 8472 with MTU - 50', () => {
    const s = compile(cluster({ tunnel: { vni: 7 } }).build(), 'n1');
    expect(s.resources.tunnel.map((e) => e.value)).toEqual([
      { prefix: '10.0.2.0/24', endpoint: '192.168.1.2' },
      { prefix: '10.0.3.0/24', endpoint: '192.168.1.3' },
    ]);
    const dev = s.resources.link.find((l) => l.value.kind === 'vxlan')!.value;
    // Collect-metadata: the VNI is set per packet (the sender's identity), so the device holds none.
    expect(dev).toMatchObject({ vni: null, port: 8472, local: '192.168.1.1', mtu: 1450 });
    expect(s.resources.program.filter((p) => p.value.ifName === dev.name).map((p) => p.value)).toEqual([
      { ifName: dev.name, hook: 'egress', program: 'gw_to_overlay' },
      { ifName: dev.name, hook: 'ingress', program: 'gw_from_overlay' },
    ]);
    expect(dev.name.length).toBeLessThanOrEqual(15);
    expect(s.resources.route.find((r) => r.key === '10.0.2.0/24')!.value).toEqual({
      prefix: '10.0.2.0/24',
      dev: dev.name,
      via: '10.0.2.1',
      onlink: true,
      mtu: null,
      src: null,
    });
  });

  it('uses 6081 for geneve and the declared device name', () => {
    const s = compile(cluster({ tunnel: { protocol: 'geneve', device: 'gnv0' } }).build(), 'n1');
    expect(s.resources.link.find((l) => l.key === 'gnv0')!.value).toMatchObject({ kind: 'geneve', port: 6081 });
  });

  it('routes natively via the other nodes’ underlay addresses without a tunnel device', () => {
    const s = compile(cluster({ routingMode: 'native' }).build(), 'n1');
    expect(s.resources.tunnel).toEqual([]);
    expect(s.resources.link.every((l) => l.value.kind === 'veth')).toBe(true);
    expect(s.resources.program.filter((p) => p.value.program.endsWith('_overlay'))).toEqual([]);
    expect(s.resources.route.find((r) => r.key === '10.0.3.0/24')!.value).toMatchObject({
      via: '192.168.1.3',
      onlink: false,
    });
  });

  it('fills the ipcache with endpoints, this node as host and the others as remote-node', () => {
    const s = compile(cluster({}).build(), 'n1');
    const ip = Object.fromEntries(s.resources.ipcache.map((e) => [e.key, e.value]));
    expect(ip['10.0.1.10/32']).toMatchObject({ tunnelEndpoint: null });
    expect(ip['10.0.2.20/32']).toMatchObject({ tunnelEndpoint: '192.168.1.2' });
    expect(ip['10.0.2.20/32']!.identity).toBeGreaterThanOrEqual(256);
    expect(ip['192.168.1.1/32']).toEqual({ prefix: '192.168.1.1/32', identity: 1, tunnelEndpoint: null });
    expect(ip['192.168.1.3/32']).toEqual({ prefix: '192.168.1.3/32', identity: 6, tunnelEndpoint: null });
  });

  it('in tunnel mode maps each remote pod CIDR to its node, as world, so unknown endpoints there are tunnelled', () => {
    const ip = (mode: 'tunnel' | 'native') =>
      Object.fromEntries(
        compile(cluster({ routingMode: mode }).build(), 'n1').resources.ipcache.map((e) => [e.key, e.value]),
      );
    expect(ip('tunnel')['10.0.2.0/24']).toEqual({ prefix: '10.0.2.0/24', identity: 2, tunnelEndpoint: '192.168.1.2' });
    expect(ip('tunnel')['10.0.1.0/24']).toBeUndefined();
    expect(ip('native')['10.0.2.0/24']).toBeUndefined();
  });
});
