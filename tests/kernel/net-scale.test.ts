import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import type { Entry, LinkValue } from '../../src/desired/desired-state.js';
import { observeNet, tunnelNextHop } from '../../src/datapath/net/index.js';
import {
  addNodeNs,
  cleanupNetns,
  converge,
  desiredFor,
  netDrivers,
  pings,
  totalWrites,
} from '../support/net-fixtures.js';

const COUNT = 100;
const REMOTES = 2000;
const plain = <T>(xs: readonly { key: string; value: T }[]) => xs.map(({ key, value }) => ({ key, value }));

// Times are printed for docs/benchmarks, never asserted: the machine is shared.
describe('one node at scale', () => {
  afterAll(cleanupNetns);

  it(`${COUNT} endpoints are all plumbed, observed exactly, and re-applied with zero writes`, async () => {
    const node = { nodeNs: await addNodeNs('scale'), owner: 'scale' };
    const drivers = netDrivers(node);
    const want = desiredFor(Array.from({ length: COUNT }, (_, i) => ({ index: 100 + i, podNet: 5, host: 2 + i })));

    let t = performance.now();
    await converge(drivers, want);
    const create = performance.now() - t;
    const writes = totalWrites(drivers);

    t = performance.now();
    await converge(drivers, want);
    const reapply = performance.now() - t;

    t = performance.now();
    const observed = await drivers.endpoint.observe();
    const observe = performance.now() - t;

    t = performance.now();
    const all = await observeNet(node);
    const observeAll = performance.now() - t;

    console.log(
      `[net-scale] ${COUNT} endpoints: create ${create.toFixed(0)} ms (${writes} writes), ` +
        `no-op re-apply ${reapply.toFixed(0)} ms, endpoint observe ${observe.toFixed(0)} ms, ` +
        `observeNet (all kinds) ${observeAll.toFixed(0)} ms`,
    );
    expect(totalWrites(drivers)).toBe(writes);
    expect(observed).toEqual(plain(want.endpoints));
    expect(await drivers.link.observe()).toEqual(plain(want.links));
    expect(await drivers.route.observe()).toEqual(plain(want.routes));
    const { deviceAddresses, ...kinds } = all;
    expect(kinds).toEqual({ endpoint: observed, link: plain(want.links), route: plain(want.routes), tunnel: [] });
    // Every host veth holds the node's gateway address, read in the same scan (netdev uses it).
    expect(deviceAddresses.get(want.links[0]!.value.name)).toContain(want.endpoints[0]!.value.gateway);
    const first = want.endpoints[0]!.value;
    const last = want.endpoints[COUNT - 1]!.value;
    expect(await pings(first.netns, last.address)).toBe(true);
  });

  it(`${REMOTES} remote nodes get their overlay routes and tunnel entries in a few batches, observed exactly`, async () => {
    const node = { nodeNs: await addNodeNs('scale-vx'), owner: 'scale-vx' };
    const drivers = netDrivers(node);
    const dev = 'gitwire_vxlan';
    const link: Entry<LinkValue> = {
      key: dev,
      value: {
        name: dev,
        kind: 'vxlan',
        mtu: 1450,
        vni: 9,
        port: 8472,
        local: '10.250.0.1',
        peerNetns: null,
        peerName: null,
      },
    };
    const remotes = Array.from({ length: REMOTES }, (_, i) => {
      const prefix = `10.${100 + (i >> 8)}.${i & 255}.0/24`;
      const endpoint = `172.16.${i >> 8}.${i & 255}`;
      return { prefix, endpoint, via: tunnelNextHop(prefix) };
    });
    const want = {
      links: [link],
      endpoints: [],
      routes: remotes
        .map(({ prefix, via }) => ({ key: prefix, value: { prefix, dev, via, onlink: true, mtu: null, src: null } }))
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
      tunnels: remotes
        .map(({ prefix, endpoint }) => ({ key: prefix, value: { prefix, endpoint } }))
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
    };

    let t = performance.now();
    await converge(drivers, want);
    const create = performance.now() - t;
    const writes = totalWrites(drivers);
    t = performance.now();
    await converge(drivers, want);
    const reapply = performance.now() - t;
    t = performance.now();
    const seen = await observeNet(node);
    const observe = performance.now() - t;
    console.log(
      `[net-scale] ${REMOTES} remote nodes: create ${create.toFixed(0)} ms (${writes} writes), ` +
        `no-op re-apply ${reapply.toFixed(0)} ms, observeNet ${observe.toFixed(0)} ms`,
    );
    expect(totalWrites(drivers)).toBe(writes);
    expect(seen.route).toEqual(want.routes);
    expect(seen.tunnel).toEqual(want.tunnels);
  });
});
