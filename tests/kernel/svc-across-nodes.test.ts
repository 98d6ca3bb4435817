import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAll, readRepository, validateTree, type EndpointValue } from '../../src/desired/index.js';
import { EndpointDatapath, pinLayout } from '../../src/datapath/programs/index.js';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster, serveName } from '../../src/reconciler/cluster/local/index.js';
import { answers, echoEndpointYaml, echoRepoCopy, echoServiceYaml } from '../support/echo-service.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';
import { ipIn, ipJson, sh } from '../support/net-fixtures.js';

// A service with a backend on each of three nodes of a local cluster, reached
// from a pod (every backend, across nodes), from outside through a NodePort
// (a backend on another node, SNAT and its reverse) and by a backend itself
// (hairpin). Node names are unique to this run: pins and namespaces carry them.
const RUN = process.pid.toString(36);
const NODE = `sv${RUN}`;
const OUTSIDE_NS = `gwx-${RUN}`;
const OUTSIDE_ADDR = '192.168.50.200';
const CLUSTER_IP = '10.96.5.5';
const NODE_PORT = 30090;
const EXTERNAL_IP = '203.0.113.50';

describe('services across nodes on a local cluster', () => {
  const repo = echoRepoCopy(
    NODE,
    echoServiceYaml({ clusterIP: CLUSTER_IP, nodePort: NODE_PORT, externalIP: EXTERNAL_IP }),
    [
      echoEndpointYaml('echo-1', 1, '10.0.1.50'),
      echoEndpointYaml('echo-2', 2, '10.0.2.50'),
      echoEndpointYaml('echo-3', 3, '10.0.3.50'),
      echoEndpointYaml('client-1', 1, '10.0.1.60', 'client'),
    ],
  );
  const stateRoot = makeTempDir('gitwire-svc-clusters-');
  const servers: ChildProcess[] = [];
  let cluster: LocalCluster | null = null;
  let eps = new Map<string, EndpointValue>();

  beforeAll(async () => {
    cluster = await LocalCluster.up({ name: `v${RUN}`, repo, stateRoot, interval: '1s' });
    await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
    const { model } = validateTree(await readRepository(cluster.layout.workTree));
    for (const [, state] of compileAll(model!))
      for (const e of state.resources.endpoint) if (e.value.namespace === 'echo') eps.set(e.value.name, e.value);
    for (const name of ['echo-1', 'echo-2', 'echo-3']) servers.push(await serveName(eps.get(name)!.netns, name));
    // "Outside": a namespace on the underlay bridge, with an address of the underlay subnet and no route beyond it.
    const fabric = cluster.layout.fabricNetns;
    const [bridge] = await ipJson<{ ifname: string }[]>(fabric, 'link', 'show', 'type', 'bridge');
    await sh('ip', 'netns', 'add', OUTSIDE_NS);
    await ipIn(fabric, 'link', 'add', 'xout', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', OUTSIDE_NS);
    await ipIn(fabric, 'link', 'set', 'xout', 'master', bridge!.ifname, 'up');
    await ipIn(OUTSIDE_NS, 'addr', 'add', `${OUTSIDE_ADDR}/24`, 'dev', 'eth0');
    await ipIn(OUTSIDE_NS, 'link', 'set', 'eth0', 'up');
    await ipIn(OUTSIDE_NS, 'link', 'set', 'lo', 'up');
  }, 300_000);

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await sh('ip', 'netns', 'del', OUTSIDE_NS).catch(() => undefined);
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
    eps = new Map();
  });

  it('a pod on node-1 reaches the backends on all three nodes through the ClusterIP', async () => {
    const got = await answers(eps.get('client-1')!.netns, CLUSTER_IP, 80, 24);
    expect(got).not.toContain(null);
    expect(new Set(got)).toEqual(new Set(['echo-1', 'echo-2', 'echo-3']));
  }, 120_000);

  it('NodePort from outside reaches backends on other nodes, and their replies come back through the node', async () => {
    const node1 = cluster!.nodes[0]!.address;
    const got = await answers(OUTSIDE_NS, node1, NODE_PORT, 24);
    expect(got).not.toContain(null);
    expect(got.filter((g) => g === 'echo-2' || g === 'echo-3').length).toBeGreaterThan(0);
    expect(got).toContain('echo-1');
    // Node-1 gave the remote backends its own address as source and kept the way back to the client.
    const dp = EndpointDatapath.openPinned(pinLayout(cluster!.nodes[0]!.name, cluster!.layout.bpffsRoot))!;
    try {
      const ways = dp.snat.dump().filter(([k]) => k.direction === 'in');
      expect(
        ways.some(([k, v]) => k.daddr === node1 && v.address === OUTSIDE_ADDR && /^10\.0\.[23]\.50$/.test(k.saddr)),
      ).toBe(true);
    } finally {
      dp.close();
    }
  }, 120_000);

  it('ExternalIP from outside, routed through node-1, reaches backends on other nodes and their replies come back', async () => {
    await ipIn(OUTSIDE_NS, 'route', 'add', `${EXTERNAL_IP}/32`, 'via', cluster!.nodes[0]!.address);
    const got = await answers(OUTSIDE_NS, EXTERNAL_IP, 80, 24);
    expect(got).not.toContain(null);
    expect(got.filter((g) => g === 'echo-2' || g === 'echo-3').length).toBeGreaterThan(0);
  }, 120_000);

  it('a backend reaching its own service gets its own connection back (hairpin)', async () => {
    const got = await answers(eps.get('echo-1')!.netns, CLUSTER_IP, 80, 24);
    expect(got).not.toContain(null);
    expect(got).toContain('echo-1');
  }, 120_000);
});
