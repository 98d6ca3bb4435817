import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAll, readRepository, validateTree, type EndpointValue } from '../../src/desired/index.js';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster, POLICY_FILE, whoAnswers } from '../../src/reconciler/cluster/local/index.js';
import { exampleRepoCopy } from '../support/cluster-repo.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

// The local cluster of `npm start`, with the agents serving their events: `gitwire monitor`
// run as users type it, against etcd, sees the datapath's verdicts of every node.
const RUN = process.pid.toString(36);
const NODE = `mn${RUN}`;
const ROOT = new URL('../..', import.meta.url).pathname;
const stateRoot = makeTempDir('gitwire-mn-clusters-');
const repo = exampleRepoCopy(NODE);
let cluster: LocalCluster | null = null;
let endpoints = new Map<string, EndpointValue & { node: string }>();
const monitors: ChildProcess[] = [];

/** A connection attempt shorter than the first SYN retransmission (1 s): one packet, so one event. */
const ONE_SYN_MS = 700;

async function readEndpoints(): Promise<Map<string, EndpointValue & { node: string }>> {
  const { model } = validateTree(await readRepository(cluster!.layout.workTree));
  const out = new Map<string, EndpointValue & { node: string }>();
  for (const [node, state] of compileAll(model!))
    for (const e of state.resources.endpoint) out.set(e.value.name, { ...e.value, node });
  return out;
}

/** The lines of rule1 (the Death Star policy) as the compiler references them. */
async function deathstarRuleLines(): Promise<number[]> {
  const { model } = validateTree(await readRepository(cluster!.layout.workTree));
  const rules = [...compileAll(model!).values()].flatMap((s) => s.rules);
  return [...new Set(rules.filter((r) => r.file === POLICY_FILE).map((r) => r.line))];
}

const ep = (name: string) => endpoints.get(name)!;
const tryConnect = (from: string, to: string, port: number) =>
  whoAnswers(ep(from).netns, ep(to).address, port, ONE_SYN_MS);

interface Running {
  readonly stdout: () => string;
  readonly stderr: () => string;
  stop(): Promise<number | null>;
}

/** `gitwire monitor ARGS` as a user types it, once it streams from `nodes` agents. */
async function monitor(args: readonly string[], nodes: number): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'tests/support/run-cli.ts'), 'monitor', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  monitors.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const end = Date.now() + 60_000;
  while ((err.match(/streaming from/g) ?? []).length < nodes) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`monitor did not start:\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The agents subscribe the stream once its request arrived: give them a moment.
  await new Promise((r) => setTimeout(r, 500));
  return {
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

async function until(what: string, ok: () => boolean, m: Running, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${m.stdout()}\n${m.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const etcdArgs = () => ['--etcd', cluster!.etcdEndpoint, '--observe-token-file', cluster!.observeTokenFile];

beforeAll(async () => {
  cluster = await LocalCluster.up({ name: NODE, repo, stateRoot, interval: '10m' });
  await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
  endpoints = await readEndpoints();
}, 300_000);

afterAll(async () => {
  for (const m of monitors) if (m.exitCode === null) m.kill('SIGKILL');
  await cluster?.down();
  removeDir(repo);
  removeDir(stateRoot);
}, 120_000);

describe('gitwire monitor through the agents of a local cluster', () => {
  it('--all-nodes shows the drops of three nodes in one stream, node-tagged, with the filters applied by the agents', async () => {
    const m = await monitor(
      ['--all-nodes', ...etcdArgs(), '--type', 'drop', '--from-label', 'class=xwing', '--output', 'json'],
      3,
    );
    // The xwing is dropped at the Death Stars (nodes 1 and 2) and at payments (node 3).
    expect(await tryConnect('xwing', 'deathstar-1', 80)).toBeNull();
    expect(await tryConnect('xwing', 'deathstar-2', 80)).toBeNull();
    expect(await tryConnect('xwing', 'payments', 9090)).toBeNull();
    // Filtered out: a drop of another sender, and a connection the policy allows.
    expect(await tryConnect('tiefighter', 'payments', 9090)).toBeNull();
    await tryConnect('tiefighter', 'deathstar-2', 80);
    await until('three drops', () => m.stdout().trim().split('\n').length >= 3, m);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await m.stop()).toBe(0);
    const lines = m
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { node: string; type: string; saddr: string; daddr: string });
    const names = cluster!.nodes.map((n) => n.name);
    expect(lines.map((l) => l.node).sort()).toEqual(
      [ep('deathstar-1').node, ep('deathstar-2').node, ep('payments').node].sort(),
    );
    expect(new Set(lines.map((l) => l.node))).toEqual(new Set(names));
    for (const l of lines) expect(l).toMatchObject({ type: 'drop', saddr: ep('xwing').address });
  }, 120_000);

  it('a denied connection across nodes produces exactly one drop event, naming the rule file:line', async () => {
    expect(ep('xwing').node).not.toBe(ep('deathstar-2').node);
    const m = await monitor(['--all-nodes', ...etcdArgs()], 3);
    expect(await tryConnect('xwing', 'deathstar-2', 80)).toBeNull();
    const flow = new RegExp(`DROP .* ${ep('xwing').address}:\\d+ -> ${ep('deathstar-2').address}:80 tcp `);
    await until('the drop', () => flow.test(m.stdout()), m);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await m.stop()).toBe(0);
    const drops = m
      .stdout()
      .split('\n')
      .filter((l) => flow.test(l));
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatch(new RegExp(`^\\[${ep('deathstar-2').node}\\] `));
    const at = new RegExp(`policy default/rule1 \\(${POLICY_FILE.replace(/\./g, '\\.')}:(\\d+)\\)`).exec(drops[0]!);
    expect(at, drops[0]).not.toBeNull();
    expect(await deathstarRuleLines()).toContain(Number(at![1]));
  }, 120_000);

  it('an audit-mode policy produces an audit verdict and no drop', async () => {
    const head = await cluster!.commit('audit mode', (dir) => {
      const file = join(dir, 'cluster.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('auditMode: false', 'auditMode: true'));
    });
    await cluster!.waitConverged(head);
    const node = ep('deathstar-2').node;
    const m = await monitor(['--node', node, ...etcdArgs(), '--output', 'json'], 1);
    // Audited, the SYN reaches the Death Star: nothing listens there, so it is refused, not dropped.
    expect(await tryConnect('xwing', 'deathstar-2', 80)).toBeNull();
    const mine = () =>
      m
        .stdout()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { node: string; type: string; saddr: string; daddr: string; dport: number })
        .filter((l) => l.saddr === ep('xwing').address && l.daddr === ep('deathstar-2').address && l.dport === 80);
    await until('the audit', () => mine().length >= 1, m);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await m.stop()).toBe(0);
    expect(mine().map((l) => [l.node, l.type])).toEqual([[node, 'audit']]);
  }, 180_000);
});
