import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entry, LinkValue, RouteValue } from '../../src/desired/desired-state.js';
import { geneveSupported, LinkOps, NotSupportedError, observeNet, type NetNode } from '../../src/datapath/net/index.js';
import {
  addNodeNs,
  cleanupNetns,
  converge,
  desiredFor,
  ipJson,
  joinNodes,
  netDrivers,
  pings,
  totalWrites,
  type NetDesired,
  type NetDrivers,
} from '../support/net-fixtures.js';

const plain = <T>(xs: readonly { key: string; value: T }[]) => xs.map(({ key, value }) => ({ key, value }));
const VXLAN = 'gitwire_vxlan';

function vxlanLink(local: string): Entry<LinkValue> {
  return {
    key: VXLAN,
    value: { name: VXLAN, kind: 'vxlan', mtu: 1450, vni: 42, port: 8472, local, peerNetns: null, peerName: null },
  };
}

function route(prefix: string, dev: string, via: string, onlink: boolean): Entry<RouteValue> {
  return { key: prefix, value: { prefix, dev, via, onlink, mtu: null, src: null } };
}

interface TwoNodes {
  a: { node: NetNode; drivers: NetDrivers; want: NetDesired };
  b: { node: NetNode; drivers: NetDrivers; want: NetDesired };
}

/** Node A (pod CIDR 10.244.1.0/24, underlay .1) and B (10.244.2.0/24, .2), one endpoint each. */
async function twoNodes(tag: string, first: number, overlay: boolean): Promise<TwoNodes> {
  const nodes = { a: await addNodeNs(`${tag}-a`), b: await addNodeNs(`${tag}-b`) };
  await joinNodes(nodes.a, nodes.b);
  const side = (name: 'a' | 'b', podNet: number, index: number, remoteNet: number, remoteUnderlay: string) => {
    const eps = desiredFor([{ index, podNet, host: 10, mtu: overlay ? 1450 : 1500 }]);
    const remote = `10.244.${remoteNet}.0/24`;
    const want: NetDesired = overlay
      ? {
          links: [...eps.links, vxlanLink(`10.250.0.${podNet}`)],
          endpoints: eps.endpoints,
          routes: [...eps.routes, route(remote, VXLAN, `10.244.${remoteNet}.1`, true)],
          tunnels: [{ key: remote, value: { prefix: remote, endpoint: remoteUnderlay }, label: `node node-${tag}-x` }],
        }
      : { ...eps, routes: [...eps.routes, route(remote, '', remoteUnderlay, false)] };
    const node = { nodeNs: nodes[name], owner: `${tag}-${name}` };
    return { node, drivers: netDrivers(node), want };
  };
  return { a: side('a', 1, first, 2, '10.250.0.2'), b: side('b', 2, first + 1, 1, '10.250.0.1') };
}

const sorted = <T>(xs: readonly Entry<T>[]) => [...xs].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));

describe('VXLAN overlay between two nodes', () => {
  let n: TwoNodes;

  beforeAll(async () => {
    n = await twoNodes('vx', 10, true);
    await converge(n.a.drivers, n.a.want);
    await converge(n.b.drivers, n.b.want);
  });

  afterAll(cleanupNetns);

  it('an endpoint on node A pings an endpoint on node B across the overlay', async () => {
    const a = n.a.want.endpoints[0]!.value;
    const b = n.b.want.endpoints[0]!.value;
    expect(await pings(a.netns, b.address)).toBe(true);
    expect(await pings(b.netns, a.address)).toBe(true);
  });

  it('programs a permanent neighbour and a static FDB entry per remote node, on a non-learning device', async () => {
    const ns = n.a.node.nodeNs as string;
    const neigh = await ipJson<{ dst: string; lladdr: string; state: string[] }[]>(ns, 'neigh', 'show', 'dev', VXLAN);
    expect(neigh).toContainEqual(
      expect.objectContaining({ dst: '10.244.2.1', lladdr: '0a:67:0a:fa:00:02', state: ['PERMANENT'] }),
    );
    const [dev] = await ipJson<{ address: string; linkinfo: { info_data: Record<string, unknown> } }[]>(
      ns,
      '-d',
      'link',
      'show',
      'dev',
      VXLAN,
    );
    expect(dev?.address).toBe('0a:67:0a:fa:00:01');
    expect(dev?.linkinfo.info_data).toMatchObject({ id: 42, port: 8472, local: '10.250.0.1', learning: false });
  });

  it('observes links and routes exactly, and tunnels by prefix and endpoint (the kernel holds no node name)', async () => {
    const { drivers, want } = n.a;
    expect(await drivers.link.observe()).toEqual(plain(sorted(want.links)));
    expect(await drivers.route.observe()).toEqual(plain(sorted(want.routes)));
    expect(await drivers.tunnel.observe()).toEqual((want.tunnels ?? []).map(({ key, value }) => ({ key, value })));
  });

  it('observeNet reads the same as the four drivers one by one', async () => {
    const { drivers, node } = n.a;
    const { deviceAddresses, ...kinds } = await observeNet(node);
    expect(kinds).toEqual({
      endpoint: await drivers.endpoint.observe(),
      link: await drivers.link.observe(),
      route: await drivers.route.observe(),
      tunnel: await drivers.tunnel.observe(),
    });
    // The netdev kind's addresses come from the same scan: what `ip -4 addr` shows (it leaves out devices without one).
    const links = await ipJson<{ ifname: string; addr_info: { local: string }[] }[]>(
      node.nodeNs as string,
      '-4',
      'addr',
      'show',
    );
    expect(new Map([...deviceAddresses].filter(([, a]) => a.length > 0))).toEqual(
      new Map(links.map((l) => [l.ifname, l.addr_info.map((a) => a.local)])),
    );
  });

  it('re-applying both nodes writes nothing', async () => {
    const before = totalWrites(n.a.drivers) + totalWrites(n.b.drivers);
    await converge(n.a.drivers, n.a.want);
    await converge(n.b.drivers, n.b.want);
    expect(totalWrites(n.a.drivers) + totalWrites(n.b.drivers)).toBe(before);
  });

  it('removing the remote node removes its neighbour and FDB entries and the overlay stops carrying traffic', async () => {
    const { drivers, want } = n.a;
    const without: NetDesired = { ...want, routes: want.routes.filter((r) => r.value.dev !== VXLAN), tunnels: [] };
    await converge(drivers, without);
    const ns = n.a.node.nodeNs as string;
    expect(await ipJson<unknown[]>(ns, 'neigh', 'show', 'dev', VXLAN)).toEqual([]);
    const fdb = JSON.parse(
      (await import('node:child_process')).execFileSync('bridge', ['-n', ns, '-j', 'fdb', 'show', 'dev', VXLAN], {
        encoding: 'utf8',
      }),
    ) as { dst?: string }[];
    expect(fdb.filter((f) => f.dst !== undefined)).toEqual([]);
    expect(await drivers.tunnel.observe()).toEqual([]);
    expect(await pings(want.endpoints[0]!.value.netns, n.b.want.endpoints[0]!.value.address)).toBe(false);
  });
});

describe('native routing between two nodes', () => {
  let n: TwoNodes;

  beforeAll(async () => {
    n = await twoNodes('nr', 20, false);
    await converge(n.a.drivers, n.a.want);
    await converge(n.b.drivers, n.b.want);
  });

  afterAll(cleanupNetns);

  it('an endpoint on node A pings an endpoint on node B with no tunnel', async () => {
    const a = n.a.want.endpoints[0]!.value;
    const b = n.b.want.endpoints[0]!.value;
    expect(await pings(a.netns, b.address)).toBe(true);
    expect(await pings(b.netns, a.address)).toBe(true);
  });

  it('observes the routes exactly, including one whose device was left to the kernel', async () => {
    expect(await n.a.drivers.route.observe()).toEqual(plain(sorted(n.a.want.routes)));
    const before = totalWrites(n.a.drivers);
    await converge(n.a.drivers, n.a.want);
    expect(totalWrites(n.a.drivers)).toBe(before);
  });
});

describe('geneve tunnel device', () => {
  const tunnel = (ns: string): [LinkOps, Entry<LinkValue>] => [
    new LinkOps({ nodeNs: ns, owner: 'gn' }),
    {
      key: 'gitwire_geneve',
      value: {
        name: 'gitwire_geneve',
        kind: 'geneve',
        mtu: 1450,
        vni: 7,
        port: 6081,
        local: null,
        peerNetns: null,
        peerName: null,
      },
    },
  ];

  afterAll(cleanupNetns);

  it('update fails with not-supported naming CONFIG_GENEVE on a kernel without geneve', async (ctx) => {
    if (await geneveSupported())
      ctx.skip('this kernel has geneve (CONFIG_GENEVE); the not-supported path cannot occur');
    const [ops, link] = tunnel(await addNodeNs('gn-1'));
    const err = await ops.update(link).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotSupportedError);
    expect(err).toMatchObject({ code: 'E_NOT_SUPPORTED', kernelConfig: 'CONFIG_GENEVE' });
    expect(ops.writes).toBe(0);
  });

  it('creates and observes a geneve device', async (ctx) => {
    if (!(await geneveSupported()))
      ctx.skip('kernel lacks geneve (CONFIG_GENEVE): "ip link add type geneve" is an unknown device type');
    const [ops, link] = tunnel(await addNodeNs('gn-2'));
    await ops.update(link);
    // Collect-metadata device: the VNI is set per packet, so the device holds none.
    expect(await ops.observe()).toEqual([{ key: link.key, value: { ...link.value, vni: null } }]);
    const writes = ops.writes;
    await ops.update(link);
    expect(ops.writes).toBe(writes);
  });
});
