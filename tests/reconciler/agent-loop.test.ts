import { afterEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/datapath/index.js';
import type { Entry, IpcacheValue } from '../../src/desired/desired-state.js';
import { ValidationError } from '../../src/desired/diagnostics.js';
import { SourceUnreachableError } from '../../src/desired/index.js';
import type { ChangeSet } from '../../src/reconciler/change-set.js';
import { plan } from '../../src/reconciler/plan.js';
import type { CompiledRevision } from '../../src/reconciler/reconcile-node.js';
import {
  Agent,
  condition,
  FileStatusStore,
  type AgentDeps,
  type NodeStatus,
  type StatusStore,
} from '../../src/reconciler/agent/index.js';
import { desiredWith } from '../support/desired-fixture.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

// The loop against fakes of the layers below it: a repository whose head and
// commits the test sets, and a node that holds ipcache entries in memory and
// is converged with the real plan().

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

const entry = (prefix: string, identity: number): Entry<IpcacheValue> => ({
  key: prefix,
  value: { prefix, identity, tunnelEndpoint: null },
});

class FakeWorld {
  head = A;
  /** Commit → its entries, or 'invalid' for a commit that fails validation. */
  readonly commits = new Map<string, readonly Entry<IpcacheValue>[] | 'invalid'>();
  kernel: Entry<IpcacheValue>[] = [];
  /** The next N resolves fail as an unreachable server does. */
  unreachable = 0;
  /** The next N applies fail as a busy kernel object does. */
  applyFails = 0;
  /** Applies fail with this error instead, while set. */
  applyError: Error | null = null;
  readonly compiled: string[] = [];
  /** Cluster generation of each compile, in order. */
  readonly generations: number[] = [];
  lastChanges: ChangeSet | null = null;
  reconciles = 0;
  writes = 0;
  gcRemoves = 0;
  /** What the agent asked of the process's heap, in order. */
  readonly heap: string[] = [];

  readonly deps: AgentDeps = {
    resolve: async () => {
      if (this.unreachable > 0) {
        this.unreachable -= 1;
        throw new SourceUnreachableError({ url: 'https://git.test/cfg.git', reason: 'ECONNREFUSED' });
      }
      return this.head;
    },
    compile: async (_repo, source, node, generation): Promise<CompiledRevision> => {
      const rev = source.rev!;
      this.compiled.push(rev);
      this.generations.push(generation);
      const found = this.commits.get(rev);
      if (found === undefined) throw new Error(`unknown commit ${rev}`);
      if (found === 'invalid')
        throw new ValidationError([
          { severity: 'error', code: 'E_SCHEMA', file: 'bad.yaml', line: 3, path: 'spec.x', message: 'unknown field' },
        ]);
      const state = desiredWith(node, rev, { ipcache: found });
      const desired = { ...state, inputs: { commit: rev, generation } };
      return { inputs: desired.inputs, desired, warnings: [] };
    },
    reconcile: async (opts) => {
      this.reconciles += 1;
      if (this.applyError) throw this.applyError;
      if (this.applyFails > 0) {
        this.applyFails -= 1;
        throw new TransientError('link add', 'device busy');
      }
      const desired = opts.compiled!.desired;
      const observe = () => ({ node: opts.node, resources: { ipcache: this.kernel } });
      const planOpts = { from: 'live', kinds: ['ipcache' as const] };
      const changes = plan(desired, observe(), planOpts);
      this.lastChanges = changes;
      this.kernel = [...desired.resources.ipcache];
      this.writes += changes.changes.length;
      return {
        inputs: desired.inputs,
        changes,
        writes: changes.changes.length,
        remaining: plan(desired, observe(), planOpts),
        warnings: [],
      };
    },
    release: () => {},
    prepareHeap: () => this.heap.push('prepare'),
    collectGarbage: () => this.heap.push('collect'),
    probe: async () => ({ reached: true, got: 'connected' }),
    openLiveNode: () => ({
      gcConntrack: () => this.gcRemoves,
      counters: () => ({}) as never,
      close: () => {},
    }),
  };
}

/** Records every status written, and can be told to fail as an unreachable etcd would. */
class RecordingStore implements StatusStore {
  readonly name = 'etcd';
  readonly written: NodeStatus[] = [];
  failing = false;
  async write(s: NodeStatus) {
    if (this.failing) throw new Error('BrokenCircuitError: circuit open');
    this.written.push(s);
  }
  async read() {
    return this.written.at(-1) ?? null;
  }
  async close() {}
}

const dirs: string[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  for (const d of dirs.splice(0)) removeDir(d);
});

function setup(opts: { retry?: { minMs: number; maxMs: number }; intervalMs?: number } = {}) {
  const world = new FakeWorld();
  world.commits.set(A, [entry('10.0.1.0/24', 256), entry('10.0.2.0/24', 257)]);
  const dir = makeTempDir('gitwire-agent-unit-');
  dirs.push(dir);
  const file = new FileStatusStore(dir);
  const etcd = new RecordingStore();
  const agent = new Agent({
    repo: 'https://git.test/cfg.git',
    node: 'n1',
    rev: 'main',
    intervalMs: opts.intervalMs ?? 3_600_000,
    stores: [file, etcd],
    deps: world.deps,
    ...(opts.retry ? { retry: opts.retry } : {}),
  });
  agents.push(agent);
  return { world, agent, file, etcd };
}

const conditions = (s: NodeStatus) => Object.fromEntries(s.conditions.map((c) => [c.type, c.status]));

describe('the agent loop', () => {
  it('applies a new commit and reports Ready with its revision, in the state file and the cluster store', async () => {
    const { world, agent, file, etcd } = setup();
    await agent.reconcileNow();
    expect(world.kernel.map((e) => e.key)).toEqual(['10.0.1.0/24', '10.0.2.0/24']);
    const saved = (await file.read('n1'))!;
    expect(conditions(saved)).toEqual({ Ready: 'True', Reconciling: 'False', Stalled: 'False' });
    expect(saved.lastAppliedRevision).toBe(A);
    expect(saved.lastReconcile).toMatchObject({ revision: A, changes: 2, writes: 2 });
    expect(etcd.written.at(-1)).toEqual(saved);
    expect(agent.metrics.reconciles).toMatchObject({ applied: 1, unchanged: 0 });
    expect(agent.metrics.revision).toBe(A);
  });

  it('compiles an unchanged commit once, yet repairs drift on every pass', async () => {
    const { world, agent } = setup();
    await agent.reconcileNow();
    await agent.reconcileNow();
    expect(agent.metrics.reconciles).toMatchObject({ applied: 1, unchanged: 1 });
    world.kernel = world.kernel.filter((e) => e.key !== '10.0.2.0/24');
    await agent.reconcileNow();
    expect(world.kernel.map((e) => e.key)).toEqual(['10.0.1.0/24', '10.0.2.0/24']);
    expect(world.compiled).toEqual([A]);
    expect(world.reconciles).toBe(3);
    expect(agent.status.lastReconcile).toMatchObject({ changes: 1, writes: 1 });
  });

  it('compiles the same commit again when the cluster generation changes, and plans name both inputs', async () => {
    const { world, agent } = setup();
    await agent.reconcileNow();
    await agent.setGeneration(3);
    expect(world.compiled).toEqual([A, A]);
    expect(world.generations).toEqual([0, 3]);
    expect(world.lastChanges!.inputs.to).toEqual({ commit: A, generation: 3 });
    expect(world.lastChanges!.to).toBe(`${A.slice(0, 12)} @ generation 3`);
    expect(conditions(agent.status)).toMatchObject({ Ready: 'True' });

    // Neither input changed: nothing is compiled again.
    await agent.setGeneration(3);
    await agent.reconcileNow();
    expect(world.compiled).toEqual([A, A]);
  });

  it('stalls on a commit that fails validation, keeps the last good one enforced, and recovers on a fix', async () => {
    const { world, agent, file } = setup();
    await agent.reconcileNow();
    world.commits.set(B, 'invalid');
    world.head = B;
    await agent.reconcileNow();
    let s = (await file.read('n1'))!;
    expect(conditions(s)).toEqual({ Ready: 'False', Reconciling: 'False', Stalled: 'True' });
    expect(s.lastAppliedRevision).toBe(A);
    expect(s.lastAttemptedRevision).toBe(B);
    expect(s.lastError).toMatchObject({ code: 'E_VALIDATION', step: 'load', kind: 'stalled' });
    expect(s.lastError!.message).toBe('bad.yaml:3: spec.x: unknown field');

    // Same bad commit: not compiled again, but drift is still repaired towards the last good commit.
    world.kernel = [];
    await agent.reconcileNow();
    expect(world.compiled).toEqual([A, B]);
    expect(world.kernel.map((e) => e.key)).toEqual(['10.0.1.0/24', '10.0.2.0/24']);
    expect(conditions(agent.status)).toMatchObject({ Stalled: 'True' });

    world.commits.set(C, [entry('10.0.1.0/24', 256)]);
    world.head = C;
    await agent.reconcileNow();
    s = (await file.read('n1'))!;
    expect(conditions(s)).toEqual({ Ready: 'True', Reconciling: 'False', Stalled: 'False' });
    expect(s.lastAppliedRevision).toBe(C);
    expect(world.kernel.map((e) => e.key)).toEqual(['10.0.1.0/24']);
    expect(agent.metrics.reconciles.stalled).toBe(1);
  });

  it('a transient failure while stalled does not hide the stall once the source answers again', async () => {
    const { world, agent } = setup();
    await agent.reconcileNow();
    world.commits.set(B, 'invalid');
    world.head = B;
    await agent.reconcileNow();
    world.unreachable = 1;
    await agent.reconcileNow();
    expect(conditions(agent.status)).toMatchObject({ Ready: 'False', Reconciling: 'True', Stalled: 'False' });
    await agent.reconcileNow();
    expect(conditions(agent.status)).toMatchObject({ Ready: 'False', Stalled: 'True' });
    expect(agent.status.lastError).toMatchObject({ code: 'E_VALIDATION' });
    expect(agent.status.failures).toBe(0);
  });

  it('retries transient failures on its own with a growing delay, then reports Ready', async () => {
    const { world, agent, etcd } = setup({ retry: { minMs: 5, maxMs: 40 } });
    world.unreachable = 4;
    agent.start();
    await until(() => agent.status.lastAppliedRevision === A);
    const retries = etcd.written
      .map((s) => condition(s, 'Reconciling')!)
      .filter((c) => c.reason === 'RetryScheduled')
      .map((c) => c.message);
    expect(retries).toEqual(['retry 1 in 5ms', 'retry 2 in 10ms', 'retry 3 in 20ms', 'retry 4 in 40ms']);
    expect(agent.metrics.reconciles.failed).toBe(4);
    expect(conditions(agent.status)).toMatchObject({ Ready: 'True' });
    expect(agent.status.failures).toBe(0);
  });

  it('a failed apply is retried with the compiled commit, not compiled again', async () => {
    const { world, agent } = setup();
    world.applyFails = 1;
    await agent.reconcileNow();
    expect(agent.status.lastError).toMatchObject({ code: 'E_TRANSIENT', step: 'apply', kind: 'transient' });
    await agent.reconcileNow();
    expect(agent.status.lastAppliedRevision).toBe(A);
    expect(world.compiled).toEqual([A]);
  });

  it('stalls at once on a verifier rejection: retrying the same program cannot help', async () => {
    const { world, agent } = setup({ retry: { minMs: 1, maxMs: 4 } });
    world.applyError = Object.assign(new Error('program load: EACCES'), {
      code: 'BPF_VERIFIER_REJECTED',
      errorKind: 'stalled',
    });
    await agent.reconcileNow();
    expect(conditions(agent.status)).toEqual({ Ready: 'False', Reconciling: 'False', Stalled: 'True' });
    expect(agent.status.lastError).toMatchObject({ code: 'BPF_VERIFIER_REJECTED', kind: 'stalled' });
    expect(agent.status.failures).toBe(0);
  });

  it('retries an error of unknown kind up to a ceiling, then reports Stalled with the reason', async () => {
    // 1 ms doubling to 4 ms: the third failure is the first at the ceiling; five retries there, then stall.
    const { world, agent } = setup({ retry: { minMs: 1, maxMs: 4 } });
    world.applyError = new TypeError("Cannot read properties of undefined (reading 'fd')");
    for (let i = 1; i <= 7; i++) {
      await agent.reconcileNow();
      expect(conditions(agent.status)).toMatchObject({ Reconciling: 'True', Stalled: 'False' });
      expect(agent.status.lastError).toMatchObject({ code: 'E_UNKNOWN', kind: 'unknown' });
      expect(agent.status.failures).toBe(i);
    }
    await agent.reconcileNow();
    expect(conditions(agent.status)).toEqual({ Ready: 'False', Reconciling: 'False', Stalled: 'True' });
    expect(condition(agent.status, 'Stalled')!.reason).toBe('RetriesExhausted');
    expect(agent.status.lastError).toMatchObject({ code: 'E_UNKNOWN', kind: 'stalled' });
    expect(agent.status.lastError!.message).toMatch(/^gave up after 8 attempts: Cannot read properties/);

    // Stalled on that commit: no more retries; a new commit is tried afresh.
    world.applyError = null;
    world.commits.set(B, [entry('10.0.3.0/24', 258)]);
    world.head = B;
    await agent.reconcileNow();
    expect(conditions(agent.status)).toMatchObject({ Ready: 'True', Stalled: 'False' });
  });

  it('keeps running and counts it when a status store refuses writes', async () => {
    const { agent, etcd, file } = setup();
    etcd.failing = true;
    await agent.reconcileNow();
    expect((await file.read('n1'))!.lastAppliedRevision).toBe(A);
    expect(agent.metrics.statusWriteErrors).toEqual({ etcd: 2 });
    etcd.failing = false;
    await agent.reconcileNow();
    expect(etcd.written.at(-1)!.lastAppliedRevision).toBe(A);
  });

  it("prepares the heap when started, collects a pass's garbage once idle, and nothing after it stops", async () => {
    const { world, agent } = setup({ intervalMs: 400 });
    agent.start();
    await until(() => world.heap.includes('collect'));
    expect(world.heap[0]).toBe('prepare');
    expect(world.reconciles).toBeGreaterThan(0);
    await agent.stop();
    const after = world.heap.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(world.heap.length).toBe(after);
  });

  it('counts what conntrack garbage collection removed', async () => {
    const { world, agent } = setup();
    world.gcRemoves = 7;
    expect(agent.collectConntrack()).toBe(7);
    expect(agent.collectConntrack()).toBe(7);
    expect(agent.metrics.ctGcRemoved).toBe(14);
    expect(await agent.metrics.render(null)).toContain('gitwire_conntrack_gc_removed_total 14');
  });

  it('exposes results, writes and the revision in the Prometheus text format', async () => {
    const { agent } = setup();
    await agent.reconcileNow();
    const text = await agent.metrics.render({
      allowed: { packets: 5n, bytes: 300n },
      'denied-policy': { packets: 2n, bytes: 120n },
    } as never);
    expect(text).toContain('gitwire_reconciles_total{result="applied"} 1');
    expect(text).toContain('gitwire_kernel_writes_total 2');
    expect(text).toContain(`gitwire_revision_info{node="n1",revision="${A}"} 1`);
    expect(text).toContain('gitwire_ready 1');
    expect(text).toContain('gitwire_datapath_packets_total{reason="denied-policy"} 2');
    expect(text).toContain('# TYPE gitwire_datapath_bytes_total counter');
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}
