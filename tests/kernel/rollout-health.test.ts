import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { isReady, type NodeStatus } from '../../src/reconciler/agent/index.js';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import {
  ALLIANCE_RULE,
  LocalCluster,
  POLICY_FILE,
  serveName,
  starWars,
  whoAnswers,
} from '../../src/reconciler/cluster/local/index.js';
import { RolloutStore, type RolloutState } from '../../src/reconciler/rollout/index.js';
import { gitwire } from '../support/cli.js';
import { exampleRepoCopy } from '../support/cluster-repo.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';
import { EMPIRE_PEER, STARWARS_HEALTH_CHECKS, waitRollout } from '../support/rollout-fixtures.js';

// Health checks inside a staged rollout (issue 15): three waves of one node,
// probes run from node 1 (the first wave), where the tiefighter, the xwing and
// deathstar-1 live. A commit that fails them must stop at node 1, which rolls
// back by itself. Names carry this run's id (nodes rh<run>-1..3).
const RUN = process.pid.toString(36);
const PREFIX = `rh${RUN}`;
const [N1, N2, N3] = [1, 2, 3].map((i) => `${PREFIX}-${i}`) as [string, string, string];
const stateRoot = makeTempDir('gitwire-rh-clusters-');

const REBEL_PEER = '            org: rebels\n';
/** An endpoint the last, good commit adds on node 3: every node's ipcache shows it once the commit is there. */
const MARKER = '10.0.3.77';

describe('a health check failing in a staged rollout', () => {
  const repo = exampleRepoCopy(PREFIX);
  let cluster: LocalCluster | null = null;
  let client: Etcd3 | null = null;
  let store: RolloutStore;
  const servers: ChildProcess[] = [];

  beforeAll(() => {
    const file = join(repo, 'cluster.yaml');
    const waves = `  rollout:\n    waves:\n      - nodes: [${N1}]\n      - nodes: [${N2}]\n      - nodes: [${N3}]\n`;
    writeFileSync(file, readFileSync(file, 'utf8') + waves);
  });
  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    client?.close();
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  });

  const rollout = (done: (s: RolloutState) => boolean, timeoutMs = 60_000): Promise<RolloutState> =>
    waitRollout(store, cluster!, done, timeoutMs);

  const status = async (node: string): Promise<NodeStatus> => (await cluster!.statuses()).find((s) => s.node === node)!;

  /** What a node's kernel holds for the kinds a policy commit or an endpoint changes. */
  async function kernel(node: string): Promise<{ policy: string[]; ipcache: string[] }> {
    const n = cluster!.nodes.find((x) => x.name === node)!;
    const dp = NodeDatapath.open({ node, nodeNs: n.netns, bpffsRoot: cluster!.layout.bpffsRoot });
    try {
      const { resources } = await dp.observe();
      const keyed = (kind: 'policy' | 'ipcache') => (resources[kind] ?? []).map((e) => JSON.stringify(e)).sort();
      return { policy: keyed('policy'), ipcache: keyed('ipcache') };
    } finally {
      dp.close();
    }
  }

  it('stops a commit whose probe fails on the first wave: node 1 rolls back, nodes 2 and 3 never try it, a good commit then goes through', async () => {
    cluster = await LocalCluster.up({ name: PREFIX, repo, stateRoot, interval: '1s' });
    client = new Etcd3({ hosts: [cluster.etcdEndpoint] });
    store = new RolloutStore(client);
    const first = git(cluster.layout.workTree, 'rev-parse', 'HEAD');
    await cluster.waitConverged(first);
    await rollout((s) => s.revision === first && s.phase === 'Completed');
    const sw = (await starWars(cluster))!;
    expect([sw.tiefighter.node, sw.xwing.node, sw.deathstar1.node]).toEqual([N1, N1, N1]);
    servers.push(await serveName(sw.deathstar1.netns, 'deathstar-1'));
    const tie = () => whoAnswers(sw.tiefighter.netns, sw.deathstar1.address, 80, 1000);
    const xwing = () => whoAnswers(sw.xwing.netns, sw.deathstar1.address, 80, 1000);
    const cli = (...args: string[]) => gitwire([...args, '--etcd-endpoints', cluster!.etcdEndpoint]);

    const good = await cluster.commit('health checks for the Death Star', (dir) => {
      mkdirSync(join(dir, 'checks'));
      writeFileSync(join(dir, 'checks', 'starwars.yaml'), STARWARS_HEALTH_CHECKS);
    });
    await rollout((s) => s.revision === good && s.phase === 'Completed');
    await cluster.waitConverged(good, 60_000);
    const before = { [N2]: await kernel(N2), [N3]: await kernel(N3) };
    // Node 2 holds deathstar-2, whose policy both bad commits change.
    expect(before[N2]!.policy.length).toBeGreaterThan(0);
    const policy = (dir: string) => join(dir, POLICY_FILE);

    /** The rollout of `bad` halts on node 1 with `check` failed; node 1 is back on `good`; nodes 2 and 3 never saw it. */
    async function haltedOnNode1(bad: string, check: string, expected: 'allow' | 'deny'): Promise<void> {
      const halted = await rollout((s) => s.revision === bad && s.phase === 'Halted');
      expect(halted.halted).toMatchObject({ reason: 'NodeFailed', node: N1 });
      expect(halted.halted!.message).toMatch(new RegExp(`^${N1}: HealthCheckFailed: .*${check}`));
      expect(halted.nodes[N1]!.phase).toBe('Failed');
      expect([halted.nodes[N2]!.phase, halted.nodes[N3]!.phase]).toEqual(['Pending', 'Pending']);

      // The coordinator sends node 1 back to `good` as its target: Ready there, the failure kept in its status.
      let s1 = await status(N1);
      for (let i = 0; i < 200 && !(isReady(s1) && s1.lastAttemptedRevision === good); i++) {
        await new Promise((r) => setTimeout(r, 100));
        s1 = await status(N1);
      }
      expect(isReady(s1)).toBe(true);
      expect(s1.lastAppliedRevision).toBe(good);
      // A cut allowed flow fails its per-flow drop check too (node 1 records flows).
      const failed = [
        { name: `default/${check}`, expected },
        ...(expected === 'allow' ? [{ name: 'builtin:flow-drops' }] : []),
      ];
      expect(s1.health).toMatchObject({ revision: bad, rolledBackTo: good, restoredChecksPassed: true, failed });
      // By itself: its rollback is recorded before the coordinator halted the rollout and sent it back.
      expect(Date.parse(s1.health!.at)).toBeLessThanOrEqual(Date.parse(halted.halted!.at));
      const text = await cli('status', '--node', N1);
      expect(text.stdout).toMatch(
        new RegExp(
          `^ {2}health: {5}${bad.slice(0, 12)} failed ${failed.length} check\\(s\\) at \\S+; rolled back to ${good.slice(0, 12)} in \\d+ ms$`,
          'm',
        ),
      );

      // As users type it: exit 1 (not completed), the failing node and probe on the `halted:` line.
      const out = await cli('rollout', 'status');
      expect(out.status).toBe(1);
      expect(out.stdout).toMatch(new RegExp(`^rollout of ${bad.slice(0, 7)}\\w*: Halted, wave 1/3`, 'm'));
      expect(out.stdout).toMatch(new RegExp(`^halted: ${N1}: HealthCheckFailed: .*${check}`, 'm'));
      expect(out.stdout).toMatch(new RegExp(`^1 +${N1} +Failed `, 'm'));

      for (const n of [N2, N3]) {
        const s = await status(n);
        expect({ applied: s.lastAppliedRevision, attempted: s.lastAttemptedRevision }).toEqual({
          applied: good,
          attempted: good,
        });
        expect(await kernel(n)).toEqual(before[n]);
      }
    }

    // A: the Empire is cut off from the Death Star; the allow probe fails on node 1.
    const cut = await cluster.commit('only the rebels may land', (dir) =>
      writeFileSync(policy(dir), readFileSync(policy(dir), 'utf8').replace(EMPIRE_PEER, REBEL_PEER)),
    );
    await haltedOnNode1(cut, 'tiefighter-lands', 'allow');
    expect(await tie()).toBe('deathstar-1');
    expect(await xwing()).toBeNull();

    // B: the Empire is back but the Alliance may land too; the deny probe fails on node 1.
    const opened = await cluster.commit('let the empire and the alliance land', (dir) => {
      writeFileSync(policy(dir), readFileSync(policy(dir), 'utf8').replace(REBEL_PEER, EMPIRE_PEER));
      appendFileSync(policy(dir), ALLIANCE_RULE);
    });
    await haltedOnNode1(opened, 'xwing-kept-out', 'deny');
    expect(await xwing()).toBeNull();
    expect(await tie()).toBe('deathstar-1');

    // A good commit after them goes through the three waves and ends Ready everywhere.
    const fixed = await cluster.commit('only the empire again, and an endpoint on node 3', (dir) => {
      writeFileSync(policy(dir), readFileSync(policy(dir), 'utf8').replace(ALLIANCE_RULE, ''));
      writeFileSync(
        join(dir, 'endpoints', 'marker.yaml'),
        `apiVersion: gitwire.io/v1alpha1\nkind: Endpoint\nmetadata:\n  name: marker\n  namespace: default\n  labels: {app: marker}\nspec:\n  node: ${N3}\n  address: ${MARKER}\n`,
      );
    });
    const done = await rollout((s) => s.revision === fixed && s.phase === 'Completed');
    expect([N1, N2, N3].map((n) => done.nodes[n]!.phase)).toEqual(['Ready', 'Ready', 'Ready']);
    await cluster.waitConverged(fixed, 60_000);
    for (const n of [N1, N2, N3]) {
      const s = await status(n);
      expect(s.health).toBeUndefined();
      expect((await kernel(n)).ipcache.some((e) => e.includes(`"${MARKER}/32"`))).toBe(true);
    }
    expect(await tie()).toBe('deathstar-1');
    expect(await xwing()).toBeNull();
    const out = await cli('rollout', 'status');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^rollout of ${fixed.slice(0, 7)}\\w*: Completed`, 'm'));
  }, 180_000);
});
