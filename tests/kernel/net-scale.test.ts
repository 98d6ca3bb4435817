import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { observeNet } from '../../src/datapath/net/index.js';
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
const plain = <T>(xs: readonly { key: string; value: T }[]) => xs.map(({ key, value }) => ({ key, value }));

// Times are printed for docs/benchmarks, never asserted: the machine is shared.
describe(`${COUNT} endpoints on one node`, () => {
  afterAll(cleanupNetns);

  it('are all plumbed, observed exactly, and re-applied with zero writes', async () => {
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
    expect(all).toEqual({ endpoint: observed, link: plain(want.links), route: plain(want.routes), tunnel: [] });
    const first = want.endpoints[0]!.value;
    const last = want.endpoints[COUNT - 1]!.value;
    expect(await pings(first.netns, last.address)).toBe(true);
  });
});
