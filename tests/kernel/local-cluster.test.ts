import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import { NodeDatapath } from '../../src/datapath/index.js';
import { IDENTITY_PREFIX } from '../../src/reconciler/cluster/etcd-identity-allocator.js';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import { DEFAULT_LOCK_DIR } from '../../src/reconciler/node-lock.js';
import {
  ALLIANCE_RULE,
  LocalCluster,
  POLICY_FILE,
  serveName,
  starWars,
  whoAnswers,
} from '../../src/reconciler/cluster/local/index.js';
import { gitwire } from '../support/cli.js';
import { exampleRepoCopy } from '../support/cluster-repo.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';
import { netnsNames } from '../support/net-fixtures.js';

// The cluster story of `npm start`, on a copy of examples/repo whose nodes carry
// names unique to this run (endpoint namespaces and pins are named after nodes).
const RUN = process.pid.toString(36);
const NODE = `lc${RUN}`;
const stateRoot = makeTempDir('gitwire-clusters-');

async function leftovers(cluster: string): Promise<string[]> {
  const ns = (await netnsNames()).filter((n) => n.startsWith(`gwc-${cluster}-`) || n.startsWith(`gw-${NODE}`));
  const pins = existsSync(`/sys/fs/bpf/gitwire-cluster-${cluster}`) ? [`/sys/fs/bpf/gitwire-cluster-${cluster}`] : [];
  // The agents' lock files, L7 sockets and rule sets under /run/gitwire.
  const runtime = existsSync(DEFAULT_LOCK_DIR)
    ? readdirSync(DEFAULT_LOCK_DIR)
        .filter((f) => f.startsWith(`${NODE}-`))
        .map((f) => join(DEFAULT_LOCK_DIR, f))
    : [];
  return [...ns, ...pins, ...runtime, ...(existsSync(join(stateRoot, cluster)) ? [join(stateRoot, cluster)] : [])];
}

describe('gitwire cluster: three nodes on one machine', () => {
  const repo = exampleRepoCopy(NODE);
  const started: number[] = [];

  afterAll(async () => {
    for (const name of [`s${RUN}`, `d${RUN}`])
      await gitwire(['cluster', 'down', '--name', name, '--state-root', stateRoot]);
    for (const pid of started) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeDir(repo);
    removeDir(stateRoot);
  });

  it('runs the story: converges every node, lands the tiefighter and drops the xwing across nodes, converges on a pushed commit through the webhook, and leaves nothing behind', async () => {
    const name = `s${RUN}`;
    // Agents poll every 10 minutes: the pushed commit can only arrive in time through the webhook and etcd.
    const args = [
      'cluster',
      'up',
      '--story',
      '--repo',
      repo,
      '--name',
      name,
      '--state-root',
      stateRoot,
      '--interval',
      '10m',
    ];
    const res = await gitwire(args);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/all 3 nodes Ready at [0-9a-f]{12}/);
    expect(res.stdout).toMatch(/commit 1 +tiefighter → 10\.0\.2\.10:80 +lands +deathstar-2 +yes/);
    expect(res.stdout).toMatch(/commit 1 +xwing → 10\.0\.2\.10:80 +dropped +\(none\) +yes/);
    expect(res.stdout).toMatch(/\(webhook 202\)/);
    expect(res.stdout).toMatch(/push → webhook → all nodes Ready at [0-9a-f]{12}/);
    expect(res.stdout).toMatch(/commit 2 +xwing → 10\.0\.2\.10:80 +lands +deathstar-2 +yes/);
    const clusterIp = [...res.stdout.matchAll(/tiefighter → 10\.96\.0\.10:80 +lands +(deathstar-\d) +yes/g)].map(
      (m) => m[1],
    );
    expect(clusterIp).toHaveLength(6);
    expect(res.stdout).not.toMatch(/ NO$/m);
    expect(await leftovers(name)).toEqual([]);
  }, 300_000);

  it("runs the same story with native routing: pod CIDRs routed via the nodes' underlay addresses, no tunnel", async () => {
    const native = exampleRepoCopy(`${NODE}n`);
    try {
      const cluster = join(native, 'cluster.yaml');
      writeFileSync(cluster, readFileSync(cluster, 'utf8').replace(/routingMode: \w+/, 'routingMode: native'));
      const name = `n${RUN}`;
      const res = await gitwire([
        'cluster',
        'up',
        '--story',
        '--repo',
        native,
        '--name',
        name,
        '--state-root',
        stateRoot,
        '--interval',
        '10m',
      ]);
      expect(res.status, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/commit 1 +tiefighter → 10\.0\.2\.10:80 +lands +deathstar-2 +yes/);
      expect(res.stdout).toMatch(/commit 1 +xwing → 10\.0\.2\.10:80 +dropped +\(none\) +yes/);
      expect(res.stdout).toMatch(/commit 2 +xwing → 10\.0\.2\.10:80 +lands +deathstar-2 +yes/);
      expect(res.stdout).not.toMatch(/ NO$/m);
      expect(await leftovers(name)).toEqual([]);
    } finally {
      removeDir(native);
    }
  }, 300_000);

  it('stays up until `cluster down` from another process removes it, with status from etcd meanwhile', async () => {
    const name = `d${RUN}`;
    const root = new URL('../..', import.meta.url).pathname;
    const up = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'tests/support/run-cli.ts'),
        'cluster',
        'up',
        '--repo',
        repo,
        '--name',
        name,
        '--state-root',
        stateRoot,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.push(up.pid!);
    const exited = new Promise<number | null>((resolve) => up.once('exit', resolve));
    let status = await gitwire(['cluster', 'status', '--name', name, '--state-root', stateRoot]);
    for (let i = 0; i < 240 && status.status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = await gitwire(['cluster', 'status', '--name', name, '--state-root', stateRoot]);
    }
    expect(status.status).toBe(0);
    for (const n of [1, 2, 3]) expect(status.stdout).toMatch(new RegExp(`^${NODE}-${n} +Ready +alive `, 'm'));

    const down = await gitwire(['cluster', 'down', '--name', name, '--state-root', stateRoot]);
    expect(down.status).toBe(0);
    expect(await exited).toBe(0);
    expect(await leftovers(name)).toEqual([]);
  }, 300_000);
});

describe('gitwire cluster: etcd outage', () => {
  const repo = exampleRepoCopy(NODE);
  let cluster: LocalCluster | null = null;
  const servers: ChildProcess[] = [];

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  });

  it('keeps enforcing while etcd is down, converges on a push by polling meanwhile, and reports again when it returns', async () => {
    cluster = await LocalCluster.up({ name: `o${RUN}`, repo, stateRoot, interval: '1s' });
    await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
    const sw = (await starWars(cluster))!;
    servers.push(await serveName(sw.deathstar2.netns, 'deathstar-2'));

    await cluster.stopEtcd();
    await new Promise((r) => setTimeout(r, 3000)); // a few passes of every agent without etcd
    expect(await whoAnswers(sw.tiefighter.netns, sw.deathstar2.address, 80)).toBe('deathstar-2');
    expect(await whoAnswers(sw.xwing.netns, sw.deathstar2.address, 80)).toBeNull();

    const next = await cluster.commit('let the alliance land', (dir) =>
      appendFileSync(join(dir, POLICY_FILE), ALLIANCE_RULE),
    );
    let landed: string | null = null;
    for (let i = 0; i < 60 && landed === null; i++)
      landed = await whoAnswers(sw.xwing.netns, sw.deathstar2.address, 80, 1000);
    expect(landed).toBe('deathstar-2');

    await cluster.restartEtcd();
    const caughtUp = await cluster.waitConverged(next, 60_000);
    expect([...caughtUp.keys()].sort()).toEqual(cluster.nodes.map((n) => n.name).sort());
  }, 300_000);
});

describe('gitwire cluster: identities from etcd', () => {
  const repo = exampleRepoCopy(NODE);
  let cluster: LocalCluster | null = null;
  let etcd: Etcd3 | null = null;

  afterAll(async () => {
    etcd?.close();
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  });

  /** What every node's kernel holds: endpoint address → identity, from its ipcache map. */
  async function kernelIdentities(c: LocalCluster): Promise<Map<string, Map<string, number>>> {
    const byNode = new Map<string, Map<string, number>>();
    for (const n of c.nodes) {
      const dp = NodeDatapath.open({ node: n.name, nodeNs: n.netns, bpffsRoot: c.layout.bpffsRoot });
      try {
        const observed = await dp.observe();
        byNode.set(n.name, new Map((observed.resources.ipcache ?? []).map((e) => [e.value.prefix, e.value.identity])));
      } finally {
        dp.close();
      }
    }
    return byNode;
  }

  it('every node enforces the numbers etcd handed out, and a restarted agent keeps them', async () => {
    cluster = await LocalCluster.up({ name: `i${RUN}`, repo, stateRoot, interval: '1s' });
    await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
    etcd = new Etcd3({ hosts: [cluster.etcdEndpoint] });
    const allocated = new Set(
      Object.values(await etcd.getAll().prefix(`${IDENTITY_PREFIX}labels/`).strings()).map(Number),
    );
    const sw = (await starWars(cluster))!;
    const before = await kernelIdentities(cluster);
    for (const [node, table] of before) {
      for (const ep of [sw.tiefighter, sw.xwing, sw.deathstar1, sw.deathstar2]) {
        const id = table.get(`${ep.address}/32`);
        expect(id, `${ep.name} on ${node}`).toBe(ep.identity);
        expect(allocated.has(id!), `${ep.name}'s identity ${id} is one etcd handed out`).toBe(true);
      }
    }
    await cluster.restartAgent(cluster.nodes[1]!.name);
    const next = await cluster.commit('let the alliance land', (dir) =>
      appendFileSync(join(dir, POLICY_FILE), ALLIANCE_RULE),
    );
    await cluster.waitConverged(next, 60_000);
    expect(await kernelIdentities(cluster)).toEqual(before);
  }, 300_000);
});
