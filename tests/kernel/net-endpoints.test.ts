import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITWIRE_ROUTE_PROTO, type NetNode } from '../../src/datapath/net/index.js';
import {
  addNodeNs,
  cleanupNetns,
  converge,
  desiredFor,
  ipIn,
  ipJson,
  netDrivers,
  netnsNames,
  pings,
  totalWrites,
  type NetDesired,
} from '../support/net-fixtures.js';

interface AddrLink {
  ifname: string;
  address: string;
  flags: string[];
  addr_info: { family: string; local: string; prefixlen: number }[];
}
interface Route {
  dst: string;
  gateway?: string;
  dev: string;
  flags: string[];
}

const plain = <T>(xs: readonly { key: string; value: T }[]) => xs.map(({ key, value }) => ({ key, value }));

describe('endpoint plumbing on one node', () => {
  let node: NetNode;
  let drivers: ReturnType<typeof netDrivers>;
  const both = desiredFor([
    { index: 0, podNet: 1, host: 10 },
    { index: 1, podNet: 1, host: 11 },
  ]);

  beforeAll(async () => {
    node = { nodeNs: await addNodeNs('node-a'), owner: 'node-a' };
    drivers = netDrivers(node);
    await converge(drivers, both);
  });

  afterAll(cleanupNetns);

  it('creates both endpoint namespaces with their address, MAC and default route', async () => {
    const names = await netnsNames();
    for (const { value: ep } of both.endpoints) {
      expect(names).toContain(ep.netns);
      const [eth0] = await ipJson<AddrLink[]>(ep.netns, 'addr', 'show', 'dev', 'eth0');
      expect(eth0?.address).toBe(ep.mac);
      expect(eth0?.flags).toContain('UP');
      expect(eth0?.addr_info.filter((a) => a.family === 'inet')).toEqual([
        expect.objectContaining({ local: ep.address, prefixlen: 32 }),
      ]);
      const routes = await ipJson<Route[]>(ep.netns, 'route', 'show');
      expect(routes).toContainEqual(
        expect.objectContaining({ dst: 'default', gateway: ep.gateway, dev: 'eth0', flags: ['onlink'] }),
      );
      const [lo] = await ipJson<AddrLink[]>(ep.netns, 'link', 'show', 'dev', 'lo');
      expect(lo?.flags).toContain('UP');
    }
  });

  it('routes each endpoint from the node through its veth with gitwire protocol', async () => {
    const routes = await ipJson<Route[]>(node.nodeNs as string, 'route', 'show', 'proto', String(GITWIRE_ROUTE_PROTO));
    expect(routes.map((r) => [r.dst, r.dev])).toEqual([
      ['10.244.1.10', 'gwv0'],
      ['10.244.1.11', 'gwv1'],
    ]);
  });

  it('lets the endpoints ping each other and the node ping them', async () => {
    const [a, b] = both.endpoints.map((e) => e.value);
    expect(await pings(a!.netns, b!.address)).toBe(true);
    expect(await pings(b!.netns, a!.address)).toBe(true);
    expect(await pings(node.nodeNs as string, a!.address)).toBe(true);
  });

  it('observes exactly the applied entries', async () => {
    expect(await drivers.endpoint.observe()).toEqual(plain(both.endpoints));
    expect(await drivers.link.observe()).toEqual(plain(both.links));
    expect(await drivers.route.observe()).toEqual(plain(both.routes));
  });

  it('re-applying the same entries writes nothing', async () => {
    const before = totalWrites(drivers);
    await converge(drivers, both);
    expect(totalWrites(drivers) - before).toBe(0);
  });

  it('repairs drift behind its back: observe shows it, update fixes it', async () => {
    const ep = both.endpoints[0]!.value;
    await ipIn(ep.netns, 'addr', 'flush', 'dev', 'eth0');
    await ipIn(node.nodeNs as string, 'link', 'set', 'dev', 'gwv0', 'mtu', '1400');
    const seen = await drivers.endpoint.observe();
    expect(seen.find((e) => e.key === both.endpoints[0]!.key)?.value.address).toBe('');
    expect((await drivers.link.observe()).find((l) => l.key === 'gwv0')?.value.mtu).toBe(0);
    await converge(drivers, both);
    expect(await drivers.endpoint.observe()).toEqual(plain(both.endpoints));
    expect(await drivers.link.observe()).toEqual(plain(both.links));
    expect(await pings(node.nodeNs as string, ep.address)).toBe(true);
  });

  it('removing one endpoint deletes its netns and veth, keeps the other and everything gitwire does not own', async () => {
    const nodeNs = node.nodeNs as string;
    await ipIn(nodeNs, 'link', 'add', 'foreign0', 'type', 'veth', 'peer', 'name', 'foreign1');
    await ipIn(nodeNs, 'link', 'set', 'foreign0', 'up');
    await ipIn(nodeNs, 'route', 'add', '10.99.0.0/24', 'dev', 'foreign0');
    await addNodeNs('foreign');

    const one: NetDesired = {
      links: both.links.slice(0, 1),
      endpoints: both.endpoints.slice(0, 1),
      routes: both.routes.slice(0, 1),
    };
    const writesBefore = totalWrites(drivers);
    await converge(drivers, one);
    expect(totalWrites(drivers)).toBeGreaterThan(writesBefore);

    const gone = both.endpoints[1]!.value;
    const kept = both.endpoints[0]!.value;
    const names = await netnsNames();
    expect(names).not.toContain(gone.netns);
    expect(names).toContain(kept.netns);
    expect(names).toContain(`${nodeNs.replace(/node-a$/, 'foreign')}`);
    const links = (await ipJson<AddrLink[]>(nodeNs, 'link', 'show')).map((l) => l.ifname);
    expect(links).not.toContain(gone.ifName);
    expect(links).toEqual(expect.arrayContaining([kept.ifName, 'foreign0', 'foreign1']));
    const routes = (await ipJson<Route[]>(nodeNs, 'route', 'show')).map((r) => r.dst);
    expect(routes).toContain('10.99.0.0/24');
    expect(routes).not.toContain(gone.address);

    expect(await drivers.endpoint.observe()).toEqual(plain(one.endpoints));
    expect(await drivers.link.observe()).toEqual(plain(one.links));
    expect(await drivers.route.observe()).toEqual(plain(one.routes));
    expect(await pings(nodeNs, kept.address)).toBe(true);
  });

  it('refuses to take over a link name or a route prefix gitwire does not own', async () => {
    const nodeNs = node.nodeNs as string;
    const clash = desiredFor([{ index: 9, podNet: 1, host: 99 }]);
    await ipIn(nodeNs, 'link', 'add', 'gwv9', 'type', 'veth', 'peer', 'name', 'other9');
    const before = totalWrites(drivers);
    await expect(drivers.link.updateMany(clash.links)).rejects.toMatchObject({ code: 'E_STALLED' });
    await ipIn(nodeNs, 'route', 'add', '10.244.1.99/32', 'dev', 'foreign0');
    await expect(drivers.route.updateMany(clash.routes)).rejects.toMatchObject({ code: 'E_STALLED' });
    expect(totalWrites(drivers)).toBe(before);
    const links = await ipJson<{ ifname: string; ifalias?: string }[]>(nodeNs, 'link', 'show', 'dev', 'gwv9');
    expect(links[0]?.ifalias).toBeUndefined();
  });

  it('deleting what is absent succeeds and writes nothing', async () => {
    const gone = both.endpoints[1]!;
    const before = totalWrites(drivers);
    await drivers.route.delete(both.routes[1]!);
    await drivers.endpoint.delete(gone);
    await drivers.link.delete(both.links[1]!);
    expect(totalWrites(drivers)).toBe(before);
  });
});
