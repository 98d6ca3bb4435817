import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAll, readRepository, validateTree, type EndpointValue } from '../../src/desired/index.js';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster, serveName } from '../../src/reconciler/cluster/local/index.js';
import { answers, echoEndpointYaml, echoRepoCopy, echoServiceYaml } from '../support/echo-service.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';
import { ipIn, ipJson } from '../support/net-fixtures.js';

// A service with a backend on each of three nodes of a local cluster, reached
// from node-1's own namespace (the host): through gw_host, its route for the
// service CIDR and gw_from_host. Node names are unique to this run: pins and
// namespaces carry them.
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const NODE = `hc${RUN}`;
const CLUSTER_IP = '10.96.5.5';
const NODE_PORT = 30090;
const EXTERNAL_IP = '203.0.113.50';

describe("the node's host reaches a ClusterIP", () => {
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
  const stateRoot = makeTempDir('gitwire-svc-host-');
  const servers: ChildProcess[] = [];
  let cluster: LocalCluster | null = null;

  beforeAll(async () => {
    cluster = await LocalCluster.up({ name: `h${RUN}`, repo, stateRoot, interval: '1s' });
    await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
    const { model } = validateTree(await readRepository(cluster.layout.workTree));
    const eps = new Map<string, EndpointValue>();
    for (const [, state] of compileAll(model!))
      for (const e of state.resources.endpoint) if (e.value.namespace === 'echo') eps.set(e.value.name, e.value);
    for (const name of ['echo-1', 'echo-2', 'echo-3']) servers.push(await serveName(eps.get(name)!.netns, name));
  }, 300_000);

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  });

  it('node-1 has the gitwire pair without ARP and the service CIDR route through it from its address', async () => {
    const node = cluster!.nodes[0]!;
    const links = await ipJson<{ ifname: string; flags: string[]; ifalias?: string }[]>(node.netns, 'link', 'show');
    const pair = links.filter((l) => l.ifname === 'gw_host' || l.ifname === 'gw_net');
    expect(pair).toHaveLength(2);
    for (const l of pair) {
      expect(l.flags).toContain('NOARP');
      expect(l.ifalias).toBeDefined();
    }
    const [route] = await ipJson<{ dev: string; prefsrc?: string }[]>(node.netns, 'route', 'show', '10.96.0.0/12');
    expect(route).toMatchObject({ dev: 'gw_host', prefsrc: node.address });
  });

  it("node-1's own connections to the ClusterIP reach backends on node-1 and on the other nodes", async () => {
    const got = await answers(cluster!.nodes[0]!.netns, CLUSTER_IP, 80, 24);
    expect(got).not.toContain(null);
    expect(new Set(got)).toEqual(new Set(['echo-1', 'echo-2', 'echo-3']));
  }, 120_000);

  it('a later pass on node-1 writes nothing', async () => {
    const name = cluster!.nodes[0]!.name;
    const since = new Date().toISOString();
    let last = null as Awaited<ReturnType<LocalCluster['statuses']>>[number] | null;
    for (let i = 0; i < 300 && !(last?.lastReconcile && last.lastReconcile.at > since); i++) {
      await new Promise((r) => setTimeout(r, 100));
      last = (await cluster!.statuses()).find((s) => s.node === name) ?? null;
    }
    expect((last?.lastReconcile?.at ?? '') > since).toBe(true);
    expect(last!.lastReconcile!.writes).toBe(0);
  }, 60_000);
  it("repairs the pair: a changed MTU of gw_net, then the pair deleted behind gitwire's back", async () => {
    const ns = cluster!.nodes[0]!.netns;
    const mtuOf = async (dev: string) =>
      (await ipJson<{ mtu: number }[]>(ns, 'link', 'show', dev).catch(() => []))[0]?.mtu ?? null;
    const want = await mtuOf('gw_host');
    const until = async (what: string, ok: () => Promise<boolean>) => {
      for (let i = 0; i < 600 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await ok(), what).toBe(true);
    };
    await ipIn(ns, 'link', 'set', 'dev', 'gw_net', 'mtu', '1280');
    await until('gw_net has its MTU back', async () => (await mtuOf('gw_net')) === want);
    await ipIn(ns, 'link', 'del', 'dev', 'gw_host');
    await until('the pair and its route are back', async () => {
      const routes = await ipJson<{ dev: string }[]>(ns, 'route', 'show', '10.96.0.0/12');
      return (await mtuOf('gw_net')) === want && routes[0]?.dev === 'gw_host';
    });
    expect(await answers(ns, CLUSTER_IP, 80, 3)).not.toContain(null);
  }, 120_000);
});
