import { appendFileSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import {
  ALLIANCE_RULE,
  LocalCluster,
  POLICY_FILE,
  serveName,
  starWars,
  whoAnswers,
} from '../../src/reconciler/cluster/local/index.js';
import { condition, type NodeStatus } from '../../src/reconciler/agent/index.js';
import { exampleRepoCopy } from '../support/cluster-repo.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';
import { EMPIRE_PEER, STARWARS_HEALTH_CHECKS } from '../support/rollout-fixtures.js';

// Health-gated rollback on the local cluster (issue 15): the Star Wars repo
// with HealthChecks run from node 1, where the tiefighter, the xwing and
// deathstar-1 live, so node 1 alone decides the probed flows. Names carry
// this run's suffix (nodes hr<run>-1..3, cluster hr<run>).
const RUN = process.pid.toString(36);
const PREFIX = `hr${RUN}`;
const stateRoot = makeTempDir('gitwire-hr-clusters-');

describe('health-gated rollback on the local cluster', () => {
  const repo = exampleRepoCopy(PREFIX);
  let cluster: LocalCluster | null = null;
  const servers: ChildProcess[] = [];

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  });

  /** Node 1's status once it has failed `revision`'s checks (and so finished with it). */
  async function failedOn(node: string, revision: string, notAt?: string): Promise<NodeStatus> {
    for (let i = 0; i < 600; i++) {
      const s = (await cluster!.statuses().catch(() => [])).find((x) => x.node === node);
      const stalled = s?.health?.revision === revision && condition(s, 'Stalled')?.status === 'True';
      if (s && stalled && s.health!.at !== notAt) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`node ${node} did not report failed checks on ${revision.slice(0, 12)}`);
  }

  it('rolls back a commit that cuts a probed flow and one that opens a denied one (after an agent restart too), retries neither, and takes the next commit', async () => {
    cluster = await LocalCluster.up({ name: PREFIX, repo, stateRoot, interval: '1s' });
    await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
    const sw = (await starWars(cluster))!;
    const node1 = sw.tiefighter.node;
    expect([sw.xwing.node, sw.deathstar1.node]).toEqual([node1, node1]);
    servers.push(await serveName(sw.deathstar1.netns, 'deathstar-1'));
    const tie = () => whoAnswers(sw.tiefighter.netns, sw.deathstar1.address, 80, 1000);
    const xwing = () => whoAnswers(sw.xwing.netns, sw.deathstar1.address, 80, 1000);

    const good = await cluster.commit('health checks for the Death Star', (dir) => {
      mkdirSync(join(dir, 'checks'));
      writeFileSync(join(dir, 'checks', 'starwars.yaml'), STARWARS_HEALTH_CHECKS);
    });
    await cluster.waitConverged(good, 60_000);

    // (a) The Empire is cut off: node 1's probe fails and it goes back by itself.
    const policy = (dir: string) => join(dir, POLICY_FILE);
    const cut = await cluster.commit('only the rebels may land', (dir) =>
      writeFileSync(policy(dir), readFileSync(policy(dir), 'utf8').replace(EMPIRE_PEER, '            org: rebels\n')),
    );
    const a = await failedOn(node1, cut);
    expect(condition(a, 'Stalled')!.reason).toBe('HealthCheckFailed');
    expect(a.lastAppliedRevision).toBe(good);
    expect(a.lastError).toMatchObject({ code: 'E_HEALTH_CHECK_FAILED', step: 'check' });
    expect(a.health).toMatchObject({
      rolledBackTo: good,
      restoredChecksPassed: true,
      failed: [
        {
          name: 'default/tiefighter-lands',
          from: 'default/tiefighter',
          to: `endpoint default/deathstar-1 (${sw.deathstar1.address}:80)`,
          expected: 'allow',
          source: 'checks/starwars.yaml:1',
        },
        { name: 'builtin:flow-drops', source: 'checks/starwars.yaml:1' },
      ],
    });
    expect(a.health!.failed[0]!.got).toBe('timeout');
    expect(a.health!.failed[0]!.drops).toMatch(/denied-/);
    // The same flow, from the agent's flow records: the datapath's own drop events of the probe's packets.
    expect(a.health!.failed[1]).toMatchObject({ name: 'builtin:flow-drops', from: 'default/tiefighter' });
    expect(a.health!.failed[1]!.got).toMatch(
      /^datapath dropped \d+ packets of default\/tiefighter → endpoint default\/deathstar-1 80\/tcp \(denied-(default|policy)/,
    );
    expect(a.health!.rollbackSeconds).toBeLessThan(2);
    expect(await tie()).toBe('deathstar-1');
    expect(await xwing()).toBeNull();

    // (c) The failed commit is not tried again while it is the head: passes go on, the failure stays as it was.
    const since = a.health!.at;
    const passAt = a.lastReconcile!.at;
    await new Promise((r) => setTimeout(r, 3000));
    const later = (await cluster.statuses()).find((x) => x.node === node1)!;
    expect(later.health!.at).toBe(since);
    expect(later.lastReconcile!.at > passAt).toBe(true);
    expect(later.lastAppliedRevision).toBe(good);

    // (b) The Empire is back but the alliance may land too: the deny probe fails and node 1 goes back again.
    const opened = await cluster.commit('let the empire and the alliance land', (dir) => {
      writeFileSync(policy(dir), readFileSync(policy(dir), 'utf8').replace('            org: rebels\n', EMPIRE_PEER));
      appendFileSync(policy(dir), ALLIANCE_RULE);
    });
    const b = await failedOn(node1, opened);
    expect(b.health).toMatchObject({
      rolledBackTo: good,
      failed: [{ name: 'default/xwing-kept-out', expected: 'deny', got: 'connected' }],
    });
    expect(await xwing()).toBeNull();
    expect(await tie()).toBe('deathstar-1');

    // A restarted agent has no last good revision of its own: it goes back to the one its state file names.
    await cluster.restartAgent(node1);
    const restarted = await failedOn(node1, opened, b.health!.at);
    expect(restarted.health).toMatchObject({ rolledBackTo: good, restoredChecksPassed: true });
    expect(await xwing()).toBeNull();
    expect(await tie()).toBe('deathstar-1');

    // (c) A new commit on the branch is tried, passes and is applied.
    const fixed = await cluster.commit('only the empire again', (dir) =>
      writeFileSync(policy(dir), readFileSync(policy(dir), 'utf8').replace(ALLIANCE_RULE, '')),
    );
    await cluster.waitConverged(fixed, 60_000);
    const ready = (await cluster.statuses()).find((x) => x.node === node1)!;
    expect(ready.health).toBeUndefined();
    expect(await tie()).toBe('deathstar-1');
    expect(await xwing()).toBeNull();
  }, 240_000);
});
