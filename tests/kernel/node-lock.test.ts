import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileNode } from '../../src/reconciler/reconcile-node.js';
import { gitwire } from '../support/cli.js';
import { makeRepo, makeTempDir, removeDir } from '../support/git-fixtures.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// One writer per node, with the real CLI on a real node: two applies at once
// end converged to the one that ran last, and an apply while an agent owns
// the node is refused, naming the agent.

const ROOT = new URL('../..', import.meta.url).pathname;
const node = new TestNode('gwo');
const stateDir = makeTempDir('gitwire-lock-state-');
let revs: { a: string; b: string };
let agent: ChildProcess | undefined;

const endpoints = (ids: readonly number[]) =>
  ids.map((i) => endpointYaml(node, `ep${i}`, `10.0.1.${10 + i}`, { app: `a${i}` })).join('---\n');

const applyArgs = (rev: string) => [
  'apply',
  ...['--repo', node.configDir, '--rev', rev, '--node', node.name],
  ...['--netns', node.netns, '--bpffs-root', node.bpffsRoot],
];

async function pendingAt(rev: string): Promise<readonly unknown[]> {
  const r = await reconcileNode({
    repo: node.configDir,
    source: { rev },
    node: node.name,
    nodeNs: node.netns,
    bpffsRoot: node.bpffsRoot,
    dryRun: true,
  });
  return r.changes.changes;
}

beforeAll(() => {
  const [a, b] = makeRepo(node.configDir, [
    { 'cluster.yaml': clusterYaml(node), 'endpoints.yaml': endpoints([1, 2, 3]) },
    { 'endpoints.yaml': endpoints([3, 4, 5]) },
  ]) as [string, string];
  revs = { a, b };
});

afterAll(async () => {
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const gone = new Promise((r) => agent!.once('close', r));
    agent.kill('SIGKILL');
    await gone;
  }
  node.cleanup();
  removeDir(stateDir);
});

describe('one writer per node', () => {
  it('runs two applies at once one after the other, ending converged to the last', async () => {
    const finished: string[] = [];
    const run = (rev: string) =>
      gitwire(applyArgs(rev)).then((r) => {
        finished.push(rev);
        return r;
      });
    const [ra, rb] = await Promise.all([run(revs.a), run(revs.b)]);
    expect(ra.status, ra.stderr).toBe(0);
    expect(rb.status, rb.stderr).toBe(0);
    // The one that had to wait said whom it waited for.
    expect(`${ra.stderr}${rb.stderr}`).toMatch(
      new RegExp(`node ${node.name} is being reconciled by PID \\d+ \\(apply\\); waiting up to 30s`),
    );
    expect(await pendingAt(finished.at(-1)!)).toEqual([]);
  });

  it('refuses an apply while an agent owns the node, naming the agent', async () => {
    const args = ['agent', '--repo', node.configDir, '--rev', revs.a, '--node', node.name];
    agent = spawn(
      process.execPath,
      [
        ...['--import', 'tsx', join(ROOT, 'tests/support/run-cli.ts'), ...args],
        ...['--netns', node.netns, '--bpffs-root', node.bpffsRoot, '--state-dir', stateDir, '--interval', '1h'],
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    agent.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
    const status = join(stateDir, 'status.json');
    const ready = () =>
      existsSync(status) &&
      (JSON.parse(readFileSync(status, 'utf8')) as { lastAppliedRevision?: string }).lastAppliedRevision === revs.a;
    for (let i = 0; i < 600 && !ready(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(ready(), log).toBe(true);

    const refused = await gitwire(applyArgs(revs.b));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`node ${node.name} is being reconciled by PID ${agent.pid} (agent)`);
    expect(await pendingAt(revs.a)).toEqual([]);

    const stopped = new Promise((r) => agent!.once('close', r));
    agent.kill('SIGTERM');
    await stopped;
    const after = await gitwire(applyArgs(revs.b));
    expect(after.status, after.stderr).toBe(0);
    expect(await pendingAt(revs.b)).toEqual([]);
  });
});
