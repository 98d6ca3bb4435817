import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addNodeNs,
  cleanupNetns,
  desiredFor,
  netnsNames,
  pings,
  sh,
  type NetDesired,
} from '../support/net-fixtures.js';

const drivers = fileURLToPath(new URL('../../src/datapath/net/index.ts', import.meta.url));

// What `ip netns exec NODE gitwire apply` does: the drivers run inside the node
// namespace with nodeNs null and inherit it, including the forwarding sysctl.
const applyInside = `
const [mod, json] = process.argv.slice(1);
const { LinkOps, EndpointOps, RouteOps } = await import(mod);
const want = JSON.parse(json);
const node = { nodeNs: null, owner: 'inherit' };
const ops = [new LinkOps(node), new EndpointOps(node), new RouteOps(node)];
await ops[2].prune(want.routes);
await ops[1].prune(want.endpoints);
await ops[0].prune(want.links);
await ops[0].updateMany(want.links);
await ops[1].updateMany(want.endpoints);
await ops[2].updateMany(want.routes);
process.stdout.write(JSON.stringify(await ops[1].observe()));
`;

describe('drivers run under `ip netns exec NODE` (nodeNs null)', () => {
  afterAll(cleanupNetns);

  it('plumb an endpoint that outlives the process, and remove it for good', async () => {
    const nodeNs = await addNodeNs('inherit');
    const want = desiredFor([{ index: 40, podNet: 9, host: 10 }]);
    const apply = (w: NetDesired) =>
      sh(
        'ip',
        'netns',
        'exec',
        nodeNs,
        process.execPath,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        applyInside,
        drivers,
        JSON.stringify(w),
      );
    const out = await apply(want);
    expect(JSON.parse(out)).toEqual(want.endpoints.map(({ key, value }) => ({ key, value })));
    expect(await pings(nodeNs, want.endpoints[0]!.value.address)).toBe(true);
    expect((await sh('ip', 'netns', 'exec', nodeNs, 'sysctl', '-n', 'net.ipv4.ip_forward')).trim()).toBe('1');

    expect(await apply({ links: [], endpoints: [], routes: [] })).toBe('[]');
    expect(await netnsNames()).not.toContain(want.endpoints[0]!.value.netns);
  });
});
