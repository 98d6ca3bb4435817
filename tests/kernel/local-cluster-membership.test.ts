import type { ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { compileAll, readRepository, validateTree, type EndpointValue } from '../../src/desired/index.js';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import {
  ALLIANCE_RULE,
  LocalCluster,
  POLICY_FILE,
  readClusterState,
  serveName,
  whoAnswers,
  type ClusterNode,
} from '../../src/reconciler/cluster/local/index.js';
import { EXAMPLE_REPO, gitwire } from '../support/cli.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';
import { ipJson, netnsNames } from '../support/net-fixtures.js';

// examples/repo with node names unique to this run: endpoint namespaces and pins are named after nodes.
const RUN = process.pid.toString(36);
const NODE = `lm${RUN}`;
const CLUSTER = `m${RUN}`;
const stateRoot = makeTempDir('gitwire-clusters-');
const node = (n: number): string => `${NODE}-${n}`;

function exampleRepoCopy(): string {
  const dir = makeTempDir('gitwire-cluster-repo-');
  cpSync(EXAMPLE_REPO, dir, { recursive: true });
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) writeFileSync(p, readFileSync(p, 'utf8').replace(/\bnode-(\d)\b/g, `${NODE}-$1`));
    }
  };
  walk(dir);
  return dir;
}

const NODE_4 = `apiVersion: gitwire.io/v1alpha1
kind: Node
metadata:
  name: ${node(4)}
spec:
  address: 192.168.50.14
  podCIDR: 10.0.4.0/24
`;
const DEATHSTAR_4 = `apiVersion: gitwire.io/v1alpha1
kind: Endpoint
metadata:
  name: deathstar-4
  namespace: default
  labels:
    org: empire
    class: deathstar
spec:
  node: ${node(4)}
  address: 10.0.4.10
  ports:
    - name: http
      containerPort: 80
`;

/** Drops every YAML document of `file` that places an endpoint on `nodeName`. */
function dropEndpointsOn(file: string, nodeName: string): void {
  const docs = readFileSync(file, 'utf8').split(/^---\n/m);
  writeFileSync(file, docs.filter((d) => !new RegExp(`^\\s+node: ${nodeName}$`, 'm').test(d)).join('---\n'));
}

/** The endpoints the cluster's current commit declares, by name, with the node each lives on. */
async function endpoints(c: LocalCluster): Promise<Map<string, EndpointValue & { node: string }>> {
  const { model } = validateTree(await readRepository(c.layout.workTree));
  const out = new Map<string, EndpointValue & { node: string }>();
  for (const [n, state] of compileAll(model!))
    for (const e of state.resources.endpoint) out.set(e.value.name, { ...e.value, node: n });
  return out;
}

/** `gitwire plan --live` against one node: its exit code with --detailed-exitcode (0: nothing to change). */
async function planLive(c: LocalCluster, n: ClusterNode): Promise<{ status: number; stdout: string }> {
  const args = ['plan', '--live', '--detailed-exitcode', '--repo', c.layout.workTree, '--node', n.name];
  return gitwire([...args, '--netns', n.netns, '--bpffs-root', c.layout.bpffsRoot]);
}

interface TunnelView {
  routes: string[];
  /** Next hop of the route to node-3's pod CIDR, when there is one. */
  nextHop3: string | undefined;
  neighbours: string[];
  /** Underlay addresses the ipcache sends pods' traffic to (the VXLAN tunnel endpoints). */
  tunnelEndpoints: string[];
  ipcache: string[];
}

/** What a node's kernel holds for the overlay: route prefixes, neighbour addresses, tunnel endpoints, ipcache prefixes. */
async function tunnelView(c: LocalCluster, n: ClusterNode): Promise<TunnelView> {
  const routes = await ipJson<{ dst: string; gateway?: string }[]>(n.netns, 'route', 'show');
  const neigh = await ipJson<{ dst: string }[]>(n.netns, 'neigh', 'show');
  const dp = NodeDatapath.open({ node: n.name, nodeNs: n.netns, bpffsRoot: c.layout.bpffsRoot });
  try {
    const observed = await dp.observe();
    return {
      routes: routes.map((r) => r.dst),
      nextHop3: routes.find((r) => r.dst === '10.0.3.0/24')?.gateway,
      neighbours: neigh.map((r) => r.dst),
      tunnelEndpoints: (observed.resources.ipcache ?? []).flatMap((e) => e.value.tunnelEndpoint ?? []),
      ipcache: (observed.resources.ipcache ?? []).map((e) => e.value.prefix),
    };
  } finally {
    dp.close();
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Everything of `nodeName` (or of the whole cluster when null) still on the machine. */
async function leftovers(c: LocalCluster, nodeName: string | null): Promise<string[]> {
  const prefixes = nodeName ? [c.layout.nodeNetns(nodeName), `gw-${nodeName}`] : [`gwc-${CLUSTER}-`, `gw-${NODE}`];
  const ns = (await netnsNames()).filter((n) => prefixes.some((p) => n.startsWith(p)));
  const paths = nodeName
    ? [join(c.layout.bpffsRoot, nodeName), c.layout.nodeDir(nodeName)]
    : [c.layout.bpffsRoot, c.layout.stateDir];
  return [...ns, ...paths.filter((p) => existsSync(p))];
}

describe('gitwire cluster: nodes join, go down and leave as git declares', () => {
  const repo = exampleRepoCopy();
  let cluster: LocalCluster | null = null;
  const servers: ChildProcess[] = [];

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  });

  const byName = (n: string): ClusterNode => cluster!.nodes.find((m) => m.name === n)!;

  it('a committed node-4 joins: its namespace and agent start, every node converges, the tiefighter on node-1 reaches deathstar-4 and no node has anything left to plan', async () => {
    // Agents poll every 10 minutes: a commit reaches them through the webhook and etcd.
    cluster = await LocalCluster.up({ name: CLUSTER, repo, stateRoot, interval: '10m' });
    await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
    expect(cluster.nodes.map((n) => n.name)).toEqual([node(1), node(2), node(3)]);

    const sha = await cluster.commit(`${node(4)} joins with deathstar-4`, (dir) => {
      writeFileSync(join(dir, 'nodes', `${node(4)}.yaml`), NODE_4);
      writeFileSync(join(dir, 'endpoints', 'deathstar-4.yaml'), DEATHSTAR_4);
    });
    expect(cluster.nodes.map((n) => n.name)).toEqual([node(1), node(2), node(3), node(4)]);
    expect(await netnsNames()).toContain(cluster.layout.nodeNetns(node(4)));
    const converged = await cluster.waitConverged(sha);
    expect([...converged.keys()].sort()).toEqual([node(1), node(2), node(3), node(4)]);

    const eps = await endpoints(cluster);
    const tiefighter = eps.get('tiefighter')!;
    const deathstar4 = eps.get('deathstar-4')!;
    expect([tiefighter.node, deathstar4.node]).toEqual([node(1), node(4)]);
    servers.push(await serveName(deathstar4.netns, 'deathstar-4'));
    expect(await whoAnswers(tiefighter.netns, deathstar4.address, 80)).toBe('deathstar-4');
    expect(await whoAnswers(eps.get('xwing')!.netns, deathstar4.address, 80)).toBeNull();

    const view = await tunnelView(cluster, byName(node(1)));
    expect(view.routes).toContain('10.0.4.0/24');
    expect(view.tunnelEndpoints).toContain('192.168.50.14');
    expect(view.ipcache).toContain('10.0.4.10/32');
    for (const n of cluster.nodes) expect(await planLive(cluster, n), n.name).toMatchObject({ status: 0 });
  }, 300_000);

  it("node-2's agent is down: a commit converges on the other nodes, status shows node-2's lease gone, and node-2 catches up when its agent returns", async () => {
    const c = cluster!;
    const before = (await c.statuses()).find((s) => s.node === node(2))!.lastAppliedRevision;
    await c.stopAgent(node(2));
    const sha = await c.commit('let the alliance land', (dir) => appendFileSync(join(dir, POLICY_FILE), ALLIANCE_RULE));
    const converged = await c.waitConverged(sha, 60_000);
    expect([...converged.keys()].sort()).toEqual([node(1), node(3), node(4)]);
    const eps = await endpoints(c);
    expect(await whoAnswers(eps.get('xwing')!.netns, eps.get('deathstar-4')!.address, 80)).toBe('deathstar-4');

    const all = await gitwire(['status', '--all-nodes', '--etcd-endpoints', c.etcdEndpoint]);
    expect(all.stdout).toMatch(new RegExp(`^${node(2)} +Ready +gone +${before!.slice(0, 12)}`, 'm'));
    for (const n of [1, 3, 4])
      expect(all.stdout).toMatch(new RegExp(`^${node(n)} +Ready +alive +${sha.slice(0, 12)}`, 'm'));
    const status = await gitwire(['cluster', 'status', '--name', CLUSTER, '--state-root', stateRoot]);
    expect(status.stdout).toMatch(new RegExp(`^${node(2)} +Ready +gone `, 'm'));

    await c.restartAgent(node(2));
    expect([...(await c.waitConverged(sha, 60_000)).keys()]).toContain(node(2));
  }, 300_000);

  it("a commit removing node-3 makes it leave: node-1's routes, neighbours, tunnel endpoints and ipcache entries for it go, and nothing of it is left on the machine", async () => {
    const c = cluster!;
    const n1 = byName(node(1));
    const before = await tunnelView(c, n1);
    // The entries this test expects to go are there to begin with.
    expect(before.routes).toContain('10.0.3.0/24');
    expect(before.nextHop3).toBeDefined();
    expect(before.neighbours).toContain(before.nextHop3);
    expect(before.tunnelEndpoints).toContain('192.168.50.13');
    expect(before.ipcache.some((p) => p.startsWith('10.0.3.'))).toBe(true);
    expect(await leftovers(c, node(3))).not.toEqual([]);
    const agent3 = readClusterState(CLUSTER, stateRoot)!.agents.find((a) => a.node === node(3))!.pid;
    expect(alive(agent3)).toBe(true);

    const sha = await c.commit(`${node(3)} leaves`, (dir) => {
      rmSync(join(dir, 'nodes', 'node-3.yaml')); // files keep examples/repo's names
      for (const f of readdirSync(join(dir, 'endpoints'))) dropEndpointsOn(join(dir, 'endpoints', f), node(3));
    });
    expect(c.nodes.map((n) => n.name)).toEqual([node(1), node(2), node(4)]);
    const converged = await c.waitConverged(sha);
    expect([...converged.keys()].sort()).toEqual([node(1), node(2), node(4)]);

    const after = await tunnelView(c, n1);
    expect(after.routes).not.toContain('10.0.3.0/24');
    expect(after.neighbours).not.toContain(before.nextHop3);
    expect(after.tunnelEndpoints).not.toContain('192.168.50.13');
    expect(after.ipcache.filter((p) => p.startsWith('10.0.3.'))).toEqual([]);
    expect(after.routes).toContain('10.0.4.0/24');
    expect(await leftovers(c, node(3))).toEqual([]);
    expect(alive(agent3)).toBe(false);
    expect(readClusterState(CLUSTER, stateRoot)!.nodes.map((n) => n.name)).not.toContain(node(3));
    expect((await c.statuses()).map((s) => s.node)).not.toContain(node(3));
    for (const n of c.nodes) expect(await planLive(c, n), n.name).toMatchObject({ status: 0 });

    await c.down();
    cluster = null;
    expect(await leftovers(c, null)).toEqual([]);
  }, 300_000);
});
