import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import { ALLIANCE_RULE, LocalCluster, POLICY_FILE } from '../../src/reconciler/cluster/local/index.js';
import { RolloutStore, type RolloutState } from '../../src/reconciler/rollout/index.js';
import { gitwire } from '../support/cli.js';
import { exampleRepoCopy } from '../support/cluster-repo.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';
import { waitRollout } from '../support/rollout-fixtures.js';

// Staged rollouts on a local cluster of three nodes, one node per wave; node
// names (and so endpoint namespaces and pins) carry this run's id.
const RUN = process.pid.toString(36);
const NODE = `ro${RUN}`;
const [N1, N2, N3] = [1, 2, 3].map((i) => `${NODE}-${i}`) as [string, string, string];
const stateRoot = makeTempDir('gitwire-rollout-clusters-');
// The bad commit puts an endpoint at this address on the first node, where something else already routes it:
// gitwire does not take a route over, so the apply stalls there (and only there).
const TAKEN = '10.0.1.77';

const endpoint = (name: string, node: string, address: string) =>
  `apiVersion: gitwire.io/v1alpha1\nkind: Endpoint\nmetadata:\n  name: ${name}\n  namespace: default\n  labels: {app: ${name}}\nspec:\n  node: ${node}\n  address: ${address}\n`;

describe('staged rollouts on the local cluster', () => {
  const repo = exampleRepoCopy(NODE);
  let cluster: LocalCluster | null = null;
  let client: Etcd3 | null = null;
  let store: RolloutStore;

  beforeAll(() => {
    const file = join(repo, 'cluster.yaml');
    const waves = `  rollout:\n    waves:\n      - nodes: [${N1}]\n      - nodes: [${N2}]\n      - nodes: [${N3}]\n`;
    writeFileSync(file, readFileSync(file, 'utf8') + waves);
  });
  afterAll(async () => {
    client?.close();
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  });

  const cli = (...args: string[]) => gitwire([...args, '--etcd-endpoints', cluster!.etcdEndpoint]);

  const rollout = (done: (s: RolloutState) => boolean, timeoutMs = 120_000): Promise<RolloutState> =>
    waitRollout(store, cluster!, done, timeoutMs);

  /** Each node's status: the revision it applied and the last it attempted. */
  async function revisions(): Promise<Record<string, { applied: string | null; attempted: string | null }>> {
    const all = await cluster!.statuses();
    return Object.fromEntries(
      all.map((s) => [s.node, { applied: s.lastAppliedRevision, attempted: s.lastAttemptedRevision }]),
    );
  }

  /** The prefixes in a node's ipcache map, read from its kernel. */
  async function ipcache(node: string): Promise<string[]> {
    const n = cluster!.nodes.find((x) => x.name === node)!;
    const dp = NodeDatapath.open({ node, nodeNs: n.netns, bpffsRoot: cluster!.layout.bpffsRoot });
    try {
      return ((await dp.observe()).resources.ipcache ?? []).map((e) => e.value.prefix);
    } finally {
      dp.close();
    }
  }

  it('goes wave by wave, halts a commit that fails on the first wave, skips a suspended and a pinned node, and waits on a stopped agent', async () => {
    cluster = await LocalCluster.up({ name: NODE, repo, stateRoot, interval: '2s' });
    client = new Etcd3({ hosts: [cluster.etcdEndpoint] });
    store = new RolloutStore(client);
    const first = git(cluster.layout.workTree, 'rev-parse', 'HEAD');
    await cluster.waitConverged(first);
    // The first revision goes everywhere at once; the coordinator records it before the next push.
    await rollout((s) => s.revision === first && s.phase === 'Completed');

    // A good commit: one wave after the other, each node applies only once the one before is Ready.
    const good = await cluster.commit('let the alliance land', (dir) =>
      appendFileSync(join(dir, POLICY_FILE), ALLIANCE_RULE),
    );
    const done = await rollout((s) => s.revision === good && s.phase === 'Completed');
    await cluster.waitConverged(good);
    const appliedAt = Object.fromEntries((await cluster.statuses()).map((s) => [s.node, Date.parse(s.lastAppliedAt!)]));
    expect(appliedAt[N1]).toBeLessThan(appliedAt[N2]!);
    expect(appliedAt[N2]).toBeLessThan(appliedAt[N3]!);
    // (Not compared with the coordinator's "Ready since": a pass's time is when it started, which can be just
    // before the coordinator moved the node's target and the pass's fetch read it.)
    expect(Object.values(done.nodes).map((n) => n.phase)).toEqual(['Ready', 'Ready', 'Ready']);

    // A commit the first node cannot apply: the rollout halts, that node goes back, the others never apply it.
    execFileSync('ip', ['-n', cluster.nodes[0]!.netns, 'route', 'add', 'blackhole', `${TAKEN}/32`]);
    const bad = await cluster.commit('an endpoint on the first node', (dir) =>
      writeFileSync(join(dir, 'endpoints', 'blocker.yaml'), endpoint('blocker', N1, TAKEN)),
    );
    const halted = await rollout((s) => s.revision === bad && s.phase === 'Halted');
    expect(halted.halted).toMatchObject({ reason: 'NodeFailed', node: N1 });
    expect(halted.nodes[N2]!.phase).toBe('Pending');
    await cluster.waitConverged(good);
    const after = await revisions();
    expect(after[N1]).toEqual({ applied: good, attempted: good });
    for (const n of [N2, N3]) expect(after[n]).toEqual({ applied: good, attempted: good });
    for (const n of [N2, N3]) expect(await ipcache(n)).not.toContain(`${TAKEN}/32`);
    const status = await cli('rollout', 'status');
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(new RegExp(`^halted: ${N1}: ApplyFailed: `, 'm'));

    // A suspended node stays on its revision while the others advance; resuming catches it up.
    expect((await cli('suspend', '--node', N3, '--by', 'ops@ro-test')).status).toBe(0);
    const probe = await cluster.commit('drop the blocker, add a probe on the second node', (dir) => {
      rmSync(join(dir, 'endpoints', 'blocker.yaml'));
      writeFileSync(join(dir, 'endpoints', 'probe.yaml'), endpoint('probe', N2, '10.0.2.77'));
    });
    const skipped = await rollout((s) => s.revision === probe && s.phase === 'Completed');
    expect(skipped.nodes[N3]).toMatchObject({ phase: 'Skipped', message: expect.stringContaining('ops@ro-test') });
    expect((await revisions())[N3]!.applied).toBe(good);
    expect(await ipcache(N3)).not.toContain('10.0.2.77/32');
    expect(await ipcache(N1)).toContain('10.0.2.77/32');
    const all = await cli('status', '--all-nodes');
    expect(all.stdout).toMatch(new RegExp(`^${N3} .*suspended by ops@ro-test`, 'm'));
    expect((await cli('resume', '--node', N3)).status).toBe(0);
    await cluster.waitConverged(probe);
    expect(await ipcache(N3)).toContain('10.0.2.77/32');

    // A pinned node stays pinned.
    expect((await cli('pin', '--node', N2, '--rev', probe)).status).toBe(0);
    const next = await cluster.commit('a second probe', (dir) =>
      writeFileSync(join(dir, 'endpoints', 'probe-2.yaml'), endpoint('probe-2', N1, '10.0.1.78')),
    );
    await rollout((s) => s.revision === next && s.phase === 'Completed');
    const pinned = await revisions();
    expect(pinned[N2]!.applied).toBe(probe);
    expect(pinned[N1]!.applied).toBe(next);
    expect(pinned[N3]!.applied).toBe(next);
    expect(await ipcache(N2)).not.toContain('10.0.1.78/32');
    expect((await cli('unpin', '--node', N2)).status).toBe(0);
    await cluster.waitConverged(next);

    // An agent stopped in the middle of its wave holds the rollout there; restarted, it catches up and the rollout ends.
    await cluster.stopAgent(N2);
    const last = await cluster.commit('a third probe', (dir) =>
      writeFileSync(join(dir, 'endpoints', 'probe-3.yaml'), endpoint('probe-3', N1, '10.0.1.79')),
    );
    const waiting = await rollout((s) => s.revision === last && s.nodes[N2]?.message?.includes('agent gone') === true);
    expect(waiting.wave).toBe(1);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await store.state())!.wave).toBe(1);
    expect((await revisions())[N3]!.attempted).toBe(next);
    expect(await ipcache(N3)).not.toContain('10.0.1.79/32');
    await cluster.restartAgent(N2);
    await rollout((s) => s.revision === last && s.phase === 'Completed');
    await cluster.waitConverged(last);
    expect(await ipcache(N3)).toContain('10.0.1.79/32');
  }, 600_000);
});
