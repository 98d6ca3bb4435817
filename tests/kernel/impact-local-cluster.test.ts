import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import {
  LocalCluster,
  POLICY_FILE,
  serveName,
  starWars,
  whoAnswers,
  type StarWars,
} from '../../src/reconciler/cluster/local/index.js';
import { LocalFlowStores } from '../../src/reconciler/impact/index.js';
import { gitwire } from '../support/cli.js';
import { exampleRepoCopy } from '../support/cluster-repo.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

// Issue 14's impact test on a three-node local cluster (node names unique to
// this run): real connections between endpoints, then a commit that cuts one
// of those flows and a commit that cuts nothing, judged by `plan --impact` on
// the agents' flow records.
const RUN = process.pid.toString(36);
const NODE = `im${RUN}`;
const LANDINGS = 4;

describe('plan --impact on the local cluster', () => {
  const repo = exampleRepoCopy(NODE);
  const stateRoot = makeTempDir('gitwire-impact-clusters-');
  const servers: ChildProcess[] = [];
  let cluster: LocalCluster | null = null;

  beforeAll(async () => {
    cluster = await LocalCluster.up({ name: `i${RUN}`, repo, stateRoot, interval: '10m' });
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  }, 120_000);

  /** A commit on a branch of the cluster's work tree from `base`, not pushed: a pull request's head. */
  function branch(c: LocalCluster, name: string, base: string, edit: (policy: string) => string): string {
    const dir = c.layout.workTree;
    git(dir, 'checkout', '--quiet', '-b', name, base);
    const file = join(dir, POLICY_FILE);
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
    git(dir, 'commit', '--quiet', '-am', name);
    const sha = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '--quiet', base);
    return sha;
  }

  // The flows come from the agents the cluster store lists (GET /v1/flows with the token); --flows-dir
  // serves a node without a registered agent, so an empty one proves the agents answered.
  const impact = (c: LocalCluster, from: string, to: string, ...more: string[]) =>
    gitwire([
      ...['plan', '--repo', c.layout.workTree, '--from', from, '--to', to, '--impact'],
      ...['--etcd-endpoints', c.etcdEndpoint, '--observe-token-file', c.observeTokenFile],
      ...['--flows-dir', join(stateRoot, 'no-flow-files'), ...more],
    ]);

  it('lists exactly the flow a commit cuts, with the count the receiving agent recorded; a commit that cuts nothing says so', async () => {
    const c = cluster!;
    const head = git(c.layout.workTree, 'rev-parse', 'HEAD');
    await c.waitConverged(head);
    const w: StarWars = (await starWars(c))!;
    servers.push(await serveName(w.deathstar2.netns, w.deathstar2.name));
    // Node 2 enforces the ingress; its agent records from its first tick after the apply and flushes every 5 s.
    const receiver = `${NODE}-2`;
    const store = new LocalFlowStores(join(c.layout.stateDir, 'nodes'));
    const seen = async (src: number) =>
      (await store.records(receiver, 3600).catch(() => []))
        .filter((r) => r.srcIdentity === src && r.dstIdentity === w.deathstar2.identity && r.port === 80)
        .reduce((n, r) => n + r.count, 0);
    const until = async (done: () => Promise<boolean>, step: () => Promise<unknown>) => {
      const deadline = Date.now() + 45_000;
      while (!(await done()) && Date.now() < deadline) await step();
    };
    // The xwing is dropped there until its drops show up in the store: the recorder is reading.
    await until(
      async () => (await seen(w.xwing.identity)) > 0,
      () => whoAnswers(w.xwing.netns, w.deathstar2.address, 80, 1000),
    );
    expect(await seen(w.xwing.identity)).toBeGreaterThan(0);
    // The tiefighter (node 1) lands on deathstar-2 (node 2) LANDINGS times.
    for (let i = 0; i < LANDINGS; i++)
      expect(await whoAnswers(w.tiefighter.netns, w.deathstar2.address, 80)).toBe(w.deathstar2.name);
    await until(
      async () => (await seen(w.tiefighter.identity)) >= LANDINGS,
      () => new Promise((r) => setTimeout(r, 500)),
    );
    expect(await seen(w.tiefighter.identity)).toBe(LANDINGS);

    const cut = branch(c, 'cut-80', head, (p) => p.replace('port: "80"', 'port: "8080"'));
    const res = await impact(c, head, cut, '--node', receiver, '-o', 'json');
    expect(res.status).toBe(0);
    const node = JSON.parse(res.stdout).impact.nodes[0];
    expect(node.flowData.available).toBe(true);
    expect(node.newlyAllowed).toEqual([]);
    expect(node.newlyDropped).toHaveLength(1);
    expect(node.newlyDropped[0]).toMatchObject({
      source: { identity: w.tiefighter.identity, endpoints: ['default/tiefighter'] },
      destination: { identity: w.deathstar2.identity },
      port: 80,
      protocol: 6,
      count: LANDINGS,
      recent: true,
    });
    expect(node.newlyDropped[0].after.sides.at(-1)).toMatchObject({ direction: 'ingress', reason: 'denied-default' });

    const md = await impact(c, head, cut, '--all-nodes', '-o', 'markdown');
    expect(md.status).toBe(0);
    expect(md.stdout).toMatch(
      /^## gitwire impact on real traffic\n\n\*\*Would newly drop \d+ flows? seen in the last 24h\*\*/,
    );

    const harmless = branch(c, 'add-443', head, (p) =>
      p.replace('port: "80"\n', 'port: "80"\n              protocol: TCP\n            - port: "443"\n'),
    );
    const none = await impact(c, head, harmless, '--node', receiver);
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('Would newly drop no flow seen in the last 24h.');
    expect(none.stdout).toContain('Would newly allow no flow.');
    expect(none.stdout).not.toContain('no flow data');
  }, 240_000);
});
