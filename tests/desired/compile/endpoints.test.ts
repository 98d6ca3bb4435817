import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import { twoNodeCluster } from '../../support/model-builder.js';
import { endpointOf } from './state-helpers.js';

const many = (n: number, b = twoNodeCluster()) => {
  for (let i = 0; i < n; i++) b.endpoint(`pod-${i}`, 'n1', { labels: { app: `a${i % 5}` } });
  return b;
};

describe('endpoint compile', () => {
  it('allocates addresses inside the pod CIDR, never the network, gateway or broadcast address, nor a declared one', () => {
    const s = compile(many(200).endpoint('fixed', 'n1', { address: '10.0.1.77' }).build(), 'n1');
    const addrs = s.resources.endpoint.map((e) => e.value.address);
    expect(new Set(addrs).size).toBe(addrs.length);
    for (const a of addrs) {
      expect(a.startsWith('10.0.1.')).toBe(true);
      expect(['10.0.1.0', '10.0.1.1', '10.0.1.255']).not.toContain(a);
    }
    expect(addrs.filter((a) => a === '10.0.1.77')).toHaveLength(1);
    expect(endpointOf(s, 'default/fixed').address).toBe('10.0.1.77');
  });

  it('keeps ids and addresses of existing endpoints when one is added', () => {
    const before = compile(many(50).build(), 'n1');
    const after = compile(many(50).endpoint('newcomer', 'n1').build(), 'n1');
    for (const e of before.resources.endpoint) {
      expect(endpointOf(after, e.key).id).toBe(e.value.id);
      expect(endpointOf(after, e.key).address).toBe(e.value.address);
      expect(endpointOf(after, e.key).identity).toBe(e.value.identity);
    }
  });

  it('derives MAC, gateway, veth and netns names', () => {
    const s = compile(
      twoNodeCluster()
        .endpoint('web', 'n1', { namespace: 'shop', address: '10.0.1.5' })
        .endpoint('db', 'n1', { mac: '0a:00:00:00:00:01' })
        .build(),
      'n1',
    );
    const web = endpointOf(s, 'shop/web');
    expect(web).toMatchObject({
      mac: '0a:58:0a:00:01:05',
      gateway: '10.0.1.1',
      netns: 'gw-n1_shop_web',
      name: 'web',
      namespace: 'shop',
    });
    expect(web.ifName).toMatch(/^lxc[0-9a-f]{12}$/);
    expect(web.id).toBeGreaterThanOrEqual(1);
    expect(web.id).toBeLessThanOrEqual(65_535);
    expect(endpointOf(s, 'default/db').mac).toBe('0a:00:00:00:00:01');
    expect(s.resources.link.find((l) => l.key === web.ifName)!.value).toMatchObject({
      kind: 'veth',
      peerNetns: 'gw-n1_shop_web',
      peerName: 'eth0',
      mtu: 1450,
    });
    expect(s.resources.route.find((r) => r.key === '10.0.1.5/32')!.value).toMatchObject({ dev: web.ifName, via: null });
  });

  it('gives endpoints with the same labels the same identity on every node', () => {
    const m = twoNodeCluster()
      .endpoint('a1', 'n1', { labels: { app: 'a' } })
      .endpoint('a2', 'n2', { labels: { app: 'a' } })
      .build();
    expect(endpointOf(compile(m, 'n1'), 'default/a1').identity).toBe(
      endpointOf(compile(m, 'n2'), 'default/a2').identity,
    );
  });
});
