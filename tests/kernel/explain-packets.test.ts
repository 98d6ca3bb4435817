import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAll, type EndpointValue } from '../../src/desired/index.js';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster, serveName, whoAnswers } from '../../src/reconciler/cluster/local/index.js';
import { explainFlow } from '../../src/reconciler/explain/index.js';
import { loadRevision } from '../../src/reconciler/load-revision.js';
import { exampleRepoCopy } from '../support/cluster-repo.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

// The acceptance test: on a three-node local cluster of examples/repo
// (node names unique to this run), explain's verdict equals what real packets
// do for every ordered pair of endpoints on TCP/80, with and without policies.
const RUN = process.pid.toString(36);
const NODE = `ex${RUN}`;
const PORT = 80;
const PARALLEL = 8;
const ANSWER_MS = 1500;

interface Outcome {
  readonly pair: string;
  readonly explained: boolean;
  readonly answered: boolean;
}

describe('explain agrees with real packets', () => {
  const repo = exampleRepoCopy(NODE);
  const stateRoot = makeTempDir('gitwire-explain-clusters-');
  const servers: ChildProcess[] = [];
  let cluster: LocalCluster | null = null;

  beforeAll(async () => {
    cluster = await LocalCluster.up({ name: `e${RUN}`, repo, stateRoot, interval: '10m' });
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  }, 120_000);

  /** Every ordered pair of the committed endpoints: explain's verdict and whether the server answered. */
  async function everyPair(c: LocalCluster): Promise<Outcome[]> {
    const { model } = await loadRevision(c.layout.workTree);
    const states = compileAll(model);
    const endpoints: EndpointValue[] = [...states.values()].flatMap((s) => s.resources.endpoint.map((e) => e.value));
    const pairs = endpoints.flatMap((a) => endpoints.filter((b) => b !== a).map((b) => [a, b] as const));
    const outcomes: Outcome[] = [];
    for (let i = 0; i < pairs.length; i += PARALLEL) {
      const batch = pairs.slice(i, i + PARALLEL);
      outcomes.push(
        ...(await Promise.all(
          batch.map(async ([a, b]) => {
            const from = `${a.namespace}/${a.name}`;
            const to = `${b.namespace}/${b.name}`;
            const x = explainFlow(model, { from, to, port: PORT, protocol: 'TCP' }, states);
            const answer = await whoAnswers(a.netns, b.address, PORT, ANSWER_MS);
            return { pair: `${from} → ${to}`, explained: x.allowed, answered: answer === b.name };
          }),
        )),
      );
    }
    return outcomes;
  }

  it('on every ordered pair of endpoints on TCP/80, with the example policies and after a commit removes them', async () => {
    const c = cluster!;
    await c.waitConverged(git(c.layout.workTree, 'rev-parse', 'HEAD'));
    const { model } = await loadRevision(c.layout.workTree);
    for (const state of compileAll(model).values())
      for (const { value: ep } of state.resources.endpoint) servers.push(await serveName(ep.netns, ep.name, PORT));

    const withPolicies = await everyPair(c);
    expect(withPolicies.length).toBe(servers.length * (servers.length - 1));
    // The policies must cut some pairs and let others through, or the comparison proves little.
    expect(withPolicies.filter((o) => o.answered).length).toBeGreaterThan(0);
    expect(withPolicies.filter((o) => !o.answered).length).toBeGreaterThan(0);
    expect(withPolicies.filter((o) => o.explained !== o.answered)).toEqual([]);

    const sha = await c.commit('remove every policy', (dir) => rmSync(join(dir, 'policies'), { recursive: true }));
    await c.waitConverged(sha);
    const without = await everyPair(c);
    expect(without.filter((o) => o.explained !== o.answered)).toEqual([]);
    expect(without.every((o) => o.answered)).toBe(true);
  }, 300_000);
});
