import PQueue from 'p-queue';
import type { IdentityAllocator } from '../../desired/identity/index.js';
import {
  formatDiagnostic,
  ValidationError,
  type DesiredInputs,
  type HealthCheckValue,
  type SourceOptions,
} from '../../desired/index.js';
import {
  describeResult,
  HealthCheckFailedError,
  nodeDrops,
  probedFlow,
  runHealthChecks,
  type CheckResult,
  type HealthReport,
} from '../health/index.js';
import { withGeneration } from '../plan.js';
import type { CompiledRevision, ReconcileResult } from '../reconcile-node.js';
import type { RevisionGate } from '../rollout/revision-gate.js';
import { realAgentDeps, type AgentDeps } from './agent-deps.js';
import type { AgentLog } from './agent-logger.js';
import { AgentMetrics } from './agent-metrics.js';
import { errorCode, failureKind, isRetried } from './failure-kind.js';
import type { LiveNode } from './live-node.js';
import {
  condition,
  initialStatus,
  isReady,
  markFailed,
  markProgressing,
  markReady,
  recordPass,
  shortRevision,
  type AgentStep,
  type Failure,
  type LastReconcile,
  type NodeStatus,
} from './node-status.js';
import { retriesExhausted, retryDelay } from './retry-backoff.js';
import type { StatusStore } from './status-store.js';

export interface AgentOptions {
  readonly repo: string;
  readonly node: string;
  /** Branch, tag or commit to follow; default the repository's HEAD. */
  readonly rev?: string;
  /** Auth and cache directory for the git source. */
  readonly source?: Omit<SourceOptions, 'rev'>;
  readonly nodeNs?: string | null;
  readonly bpffsRoot?: string;
  /** Time between passes while healthy (and between checks for a new commit while stalled). */
  readonly intervalMs: number;
  /** Time between conntrack garbage collections; default the pass interval. */
  readonly gcIntervalMs?: number;
  readonly stores: readonly StatusStore[];
  /** Cluster-wide identities (etcd); without it, identities are hashed from labels, the same on every node. */
  readonly identities?: IdentityAllocator;
  readonly metrics?: AgentMetrics;
  readonly log?: AgentLog;
  readonly deps?: Partial<AgentDeps>;
  readonly now?: () => Date;
  /** First retry delay and ceiling (100 ms → 1 min unless set). */
  readonly retry?: { readonly minMs?: number; readonly maxMs?: number };
  /** Staged rollouts, suspend and pin: which revision the node may apply instead of the head. */
  readonly gate?: RevisionGate;
}

/** What a pass carries from step to step. */
interface Pass {
  commit: string | null;
  /** The cluster generation when the pass started. */
  generation: number;
  compiled: CompiledRevision | null;
  /** Stalled on this commit already: only repair drift towards the last good one. */
  repairOnly: boolean;
  result: ReconcileResult | null;
}

/** How long after a pass its garbage is collected, when the next pass is not due sooner. */
const IDLE_GC_DELAY_MS = 6000;

/** How long a cluster store may take to answer the built-in reachability check. */
const STORE_DEADLINE_MS = 2000;

class NotConvergedError extends Error {
  readonly code = 'E_NOT_CONVERGED';
  constructor(remaining: number) {
    super(`${remaining} change(s) still differ after applying`);
    this.name = 'NotConvergedError';
  }
}

/**
 * The node agent: each pass resolves the ref, compiles a new commit once, and
 * reconciles the node towards it (every pass, so drift done behind its back is
 * repaired), through an ordered list of steps that stops at the first error.
 * The status is written after every pass, whatever happened. A commit that
 * fails validation is Stalled until a new commit arrives, and the node keeps
 * the last good one; transient errors are retried with exponential backoff.
 */
export class Agent {
  readonly metrics: AgentMetrics;
  private current: NodeStatus;
  private readonly deps: AgentDeps;
  private readonly queue = new PQueue({ concurrency: 1 });
  private readonly now: () => Date;
  private readonly log: AgentLog;
  /** Last commit that applied cleanly, kept compiled for drift repair while a newer one is stalled. */
  private good: CompiledRevision | null = null;
  /** Last revision written to the node, while its checks run too; the flow records name rules by it. */
  private written: CompiledRevision | null = null;
  /** Newest commit compiled (good or not yet applied). */
  private latest: CompiledRevision | null = null;
  /** The inputs that stalled and why; cleared when new inputs are compiled. */
  private stalled: { readonly inputs: DesiredInputs; readonly failure: Failure } | null = null;
  /** Stores whose last status write succeeded. */
  private readonly answering = new Set<string>();
  /** The revision a previous run of the agent last applied cleanly (from the first store); undefined until read. */
  private previousGood: string | null | undefined = undefined;
  /** The cluster generation desired state is compiled at; 0 until a cluster store reports one. */
  private generation = 0;
  private live: LiveNode | null = null;
  private passTimer: NodeJS.Timeout | null = null;
  private gcTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(private readonly opts: AgentOptions) {
    this.deps = { ...realAgentDeps, ...opts.deps };
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log ?? (() => {});
    this.metrics = opts.metrics ?? new AgentMetrics(opts.node);
    this.current = initialStatus(opts.node, opts.repo, this.rev, this.now());
  }

  get status(): NodeStatus {
    return this.current;
  }

  /** The revision the node enforces (the last applied cleanly), to name the rules in its events; null before. */
  get enforced(): CompiledRevision | null {
    return this.good;
  }

  /** The revision on the node now: the enforced one, or a new one while its checks run; null before. */
  get applied(): CompiledRevision | null {
    return this.written;
  }

  private get rev(): string {
    return this.opts.rev ?? 'HEAD';
  }

  /** Runs the first pass now, then one per interval (sooner while retrying); GC on its own timer. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.deps.prepareHeap?.();
    this.schedule(0);
    const gcMs = this.opts.gcIntervalMs ?? this.opts.intervalMs;
    this.gcTimer = setInterval(() => this.collectConntrack(), gcMs);
  }

  /** Stops the timers and waits for a pass in flight; what was applied stays enforced (links are pinned). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.passTimer) clearTimeout(this.passTimer);
    if (this.gcTimer) clearInterval(this.gcTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.queue.clear();
    await this.queue.onIdle();
    this.live?.close();
    this.live = null;
    this.deps.release();
    await Promise.all(this.opts.stores.map((s) => s.close().catch(() => {})));
  }

  /**
   * A new cluster generation (membership, identities): desired state depends
   * on it as on the commit, so the pass this queues compiles again. Resolves
   * when that pass has run.
   */
  setGeneration(generation: number): Promise<void> {
    if (generation === this.generation) return Promise.resolve();
    this.generation = generation;
    return this.reconcileNow();
  }

  /** Queues a pass (one at a time) and resolves when it has run; tests use it instead of waiting for the timer. */
  reconcileNow(): Promise<void> {
    return this.queue.add(() => this.pass());
  }

  /**
   * One conntrack garbage collection; returns the entries removed (0 before
   * the node was first applied). `nowNs` lets a test look past the lifetimes.
   */
  collectConntrack(nowNs?: bigint): number {
    try {
      const node = this.liveNode();
      if (!node) return 0;
      const removed = node.gcConntrack(nowNs);
      this.metrics.ctGcRuns += 1;
      this.metrics.ctGcRemoved += removed;
      if (removed > 0) this.log(`conntrack gc: removed ${removed} expired entries`, { step: 'gc' });
      return removed;
    } catch (e) {
      this.log(`conntrack gc failed: ${(e as Error).message}`, { level: 'warn', step: 'gc' });
      return 0;
    }
  }

  /** The node's datapath counters for the metrics endpoint; null before the node was first applied. */
  datapathCounters(): ReturnType<LiveNode['counters']> | null {
    return this.liveNode()?.counters() ?? null;
  }

  private liveNode(): LiveNode | null {
    this.live ??= this.deps.openLiveNode(this.nodeOptions());
    return this.live;
  }

  private nodeOptions() {
    return {
      node: this.opts.node,
      nodeNs: this.opts.nodeNs ?? null,
      ...(this.opts.bpffsRoot ? { bpffsRoot: this.opts.bpffsRoot } : {}),
    };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.passTimer) clearTimeout(this.passTimer);
    this.passTimer = setTimeout(() => {
      this.passTimer = null;
      if (this.queue.size === 0) void this.reconcileNow();
    }, delayMs);
  }

  /** Flux-style ordered steps; each returns false when the pass has nothing more to do. */
  private readonly steps: readonly (readonly [AgentStep, (p: Pass) => Promise<boolean>])[] = [
    ['fetch', (p) => this.fetch(p)],
    ['load', (p) => this.load(p)],
    ['apply', (p) => this.apply(p)],
    ['verify', (p) => this.verify(p)],
    ['check', (p) => this.check(p)],
  ];

  private async pass(): Promise<void> {
    const started = this.now();
    // Read before this run's first status write replaces it: a rollback after a restart goes back there.
    if (this.previousGood === undefined) this.previousGood = await this.readPreviousGood();
    const t0 = performance.now();
    const p: Pass = { commit: null, generation: this.generation, compiled: null, repairOnly: false, result: null };
    let step: AgentStep = 'fetch';
    let next = this.opts.intervalMs;
    try {
      for (const [name, run] of this.steps) {
        step = name;
        if (!(await run(p))) break;
      }
      if (p.compiled && p.result) next = this.succeeded(p, started, performance.now() - t0);
    } catch (e) {
      next = this.failed(p, step, e);
    } finally {
      this.metrics.lastDurationSeconds = (performance.now() - t0) / 1000;
      this.metrics.ready = isReady(this.current);
      await this.writeStatus();
      this.schedule(next);
      this.collectWhenIdle(next);
    }
  }

  /**
   * The pass's garbage goes once the agent has been idle a while (half the
   * wait for the next pass, at most IDLE_GC_DELAY_MS): V8 then also shrinks
   * its young generation, which it does not do right after a busy pass.
   */
  private collectWhenIdle(nextMs: number): void {
    const collect = this.deps.collectGarbage;
    if (!collect || this.stopped) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () => {
        this.idleTimer = null;
        // A pass in flight: its own end collects.
        if (this.queue.pending === 0) collect();
      },
      Math.min(IDLE_GC_DELAY_MS, nextMs / 2),
    );
    this.idleTimer.unref();
  }

  private async fetch(p: Pass): Promise<boolean> {
    p.commit = await this.deps.resolve(this.opts.repo, this.rev, this.opts.source ?? {});
    if (!this.opts.gate || p.commit === null) return true;
    const { rev, ...hold } = await this.opts.gate.target(p.commit);
    const { hold: _previous, ...rest } = this.current;
    this.current = hold.suspended || hold.pinned || hold.target ? { ...rest, hold } : rest;
    if (!hold.suspended) {
      p.commit = rev;
      return true;
    }
    // Suspended: the node stays on what it enforces, repairing drift towards it unless told not to.
    const kept = this.good?.inputs.commit ?? null;
    if (!hold.suspended.driftRepair || kept === null) return false;
    p.commit = kept;
    return true;
  }

  private async load(p: Pass): Promise<boolean> {
    // A plain directory has no commit to compare, so it is read again every pass.
    const inputs = { commit: p.commit, generation: p.generation };
    if (p.commit !== null && this.latest && sameInputs(this.latest.inputs, inputs)) {
      p.compiled = this.latest;
    } else if (p.commit !== null && this.stalled && sameInputs(this.stalled.inputs, inputs)) {
      p.repairOnly = true;
      p.compiled = this.good;
    } else {
      this.current = markProgressing(this.current, p.commit, this.now());
      await this.writeStatus();
      // A plain directory is read as it is on disk: asking it for a revision fails.
      const source = p.commit === null ? { ...this.opts.source } : { ...this.opts.source, rev: p.commit };
      p.compiled = await this.deps.compile(this.opts.repo, source, this.opts.node, p.generation, this.opts.identities);
      this.latest = p.compiled;
      this.stalled = null;
    }
    return p.compiled !== null;
  }

  private async apply(p: Pass): Promise<boolean> {
    const t0 = performance.now();
    p.result = await this.write(p.compiled!);
    this.metrics.observeApply((performance.now() - t0) / 1000);
    return true;
  }

  /** Reconciles the node towards `compiled` (a pass's apply, or a rollback): what it is then, what it cost. */
  private async write(compiled: CompiledRevision): Promise<ReconcileResult> {
    const result = await this.deps.reconcile({ repo: this.opts.repo, ...this.nodeOptions(), compiled });
    this.written = compiled;
    this.metrics.kernelWrites += result.writes;
    return result;
  }

  private async verify(p: Pass): Promise<boolean> {
    const remaining = p.result!.remaining?.changes.length ?? 0;
    if (remaining > 0) throw new NotConvergedError(remaining);
    return true;
  }

  /**
   * After a new revision was applied (not on drift repair of one already
   * checked): its health checks pass, or the node goes straight back to the
   * last good revision and the pass fails Stalled on the new one. A plain
   * directory has no revisions to tell apart or go back to: it is not checked.
   */
  private async check(p: Pass): Promise<boolean> {
    if (p.repairOnly || p.commit === null || p.compiled === this.good) return true;
    const report = await this.runChecks(p.compiled!, p.result!);
    // A check that could not run passes, but says so.
    for (const r of report.results.filter((x) => x.skipped))
      this.log(describeResult(r), { level: 'warn', step: 'check', revision: p.commit });
    if (report.passed) return true;
    throw await this.rollBack(p.commit, report.failed, performance.now());
  }

  private runChecks(compiled: CompiledRevision, result: ReconcileResult): Promise<HealthReport> {
    const input = {
      checks: compiled.desired.resources.healthcheck.map((e) => e.value),
      remaining: result.remaining?.changes.length ?? 0,
      // A cluster store (etcd) the node reached before this apply must answer after it; one already
      // down (an outage, not the commit's doing) does not hold the commit back. The state file is local.
      stores: this.opts.stores
        .filter((s) => s.name !== 'file' && this.answering.has(s.name))
        .map((s) => ({ name: s.name, reach: () => s.read(this.opts.node).then(() => undefined) })),
      storeDeadlineMs: STORE_DEADLINE_MS,
      flowOf: (c: HealthCheckValue) => probedFlow(c, compiled.desired),
    };
    return runHealthChecks(input, {
      probe: (c) => this.deps.probe(c),
      drops: () => nodeDrops(this.datapathCounters()),
      ...(this.deps.flowDrops ? { flowDrops: this.deps.flowDrops } : {}),
    });
  }

  /**
   * Reconciles the node towards the last good revision, through the same
   * apply (and so the same safe ordering) as any pass, and confirms with its
   * checks. `failedAt` is when the failure was known (performance.now()).
   */
  private async rollBack(
    revision: string | null,
    failed: readonly CheckResult[],
    failedAt: number,
  ): Promise<HealthCheckFailedError> {
    const at = this.now().toISOString();
    const good = this.good ?? (await this.compilePreviousGood(revision));
    const none = { revision, failed, rolledBackTo: null, rollbackSeconds: null, restoredChecksPassed: null, at };
    this.log(`health check failed on ${shortRevision(revision)}: ${failed.map(describeResult).join('; ')}`, {
      level: 'error',
      step: 'check',
      revision,
    });
    if (!good) {
      const outcome =
        'no earlier revision was applied here, so there is nothing to roll back to: this one stays applied';
      return new HealthCheckFailedError({ ...none, outcome });
    }
    const to = good.inputs.commit;
    try {
      const result = await this.write(good);
      const remaining = result.remaining?.changes.length ?? 0;
      if (remaining > 0) throw new NotConvergedError(remaining);
      const seconds = (performance.now() - failedAt) / 1000;
      this.metrics.observeRollback(seconds);
      const confirm = await this.runChecks(good, result);
      const checks = confirm.passed
        ? 'its checks pass'
        : `its checks fail too: ${confirm.failed.map(describeResult).join('; ')}`;
      const outcome = `rolled back to ${shortRevision(to)} in ${Math.round(seconds * 1000)} ms (${result.writes} kernel writes); ${checks}`;
      this.log(outcome, { step: 'check', revision: to });
      return new HealthCheckFailedError({
        ...none,
        rolledBackTo: to,
        rollbackSeconds: seconds,
        restoredChecksPassed: confirm.passed,
        outcome,
      });
    } catch (e) {
      const outcome = `rolling back to ${shortRevision(to)} failed (${describeError(e)}); drift repair keeps trying`;
      this.log(outcome, { level: 'error', step: 'check', revision: to, code: errorCode(e) });
      return new HealthCheckFailedError({ ...none, outcome });
    }
  }

  private async readPreviousGood(): Promise<string | null> {
    const store = this.opts.stores[0];
    const previous = await store?.read(this.opts.node).catch(() => null);
    return previous?.lastAppliedRevision ?? null;
  }

  /**
   * After a restart this run has applied nothing good yet; the revision the
   * previous run last applied cleanly is the one to go back to. It becomes
   * the last good revision, so drift repair keeps the node there.
   */
  private async compilePreviousGood(failed: string | null): Promise<CompiledRevision | null> {
    const commit = this.previousGood;
    if (!commit || commit === failed) return null;
    try {
      this.good = await this.deps.compile(
        this.opts.repo,
        { ...this.opts.source, rev: commit },
        this.opts.node,
        this.generation,
        this.opts.identities,
      );
    } catch (e) {
      this.log(`the previously applied ${shortRevision(commit)} no longer compiles: ${describeError(e)}`, {
        level: 'warn',
        step: 'check',
      });
    }
    return this.good;
  }

  private succeeded(p: Pass, started: Date, durationMs: number): number {
    const r = p.result!;
    const pass: LastReconcile = {
      at: started.toISOString(),
      revision: r.inputs.commit,
      durationMs: Math.round(durationMs),
      changes: r.changes.changes.length,
      writes: r.writes,
    };
    this.metrics.reconciles[r.writes > 0 ? 'applied' : 'unchanged'] += 1;
    if (r.changes.changes.length > 0)
      this.log(
        `${p.repairOnly ? 'repaired drift towards last good' : 'applied'} ${withGeneration(r.inputs.commit, r.inputs.generation) ?? 'working tree'}: ${r.changes.changes.length} changes, ${r.writes} kernel writes`,
        { step: 'apply', revision: r.inputs.commit },
      );
    if (p.repairOnly) {
      this.current = recordPass(this.current, pass, this.now());
      // A transient failure in between (say, the fetch) replaced the Stalled condition: restore it.
      if (this.stalled && condition(this.current, 'Stalled')?.status !== 'True')
        this.current = markFailed(this.current, this.stalled.failure, this.now());
      return this.opts.intervalMs;
    }
    this.good = p.compiled;
    this.current = markReady(this.current, pass, this.now());
    this.metrics.revision = r.inputs.commit;
    return this.opts.intervalMs;
  }

  private failed(p: Pass, step: AgentStep, e: unknown): number {
    let kind = failureKind(e);
    let error = { code: errorCode(e), message: describeError(e) };
    let reason: string | undefined;
    const { minMs, maxMs } = this.opts.retry ?? {};
    // An error that does not say what it is gets retries up to a ceiling, then a human is asked.
    if (kind === 'unknown' && retriesExhausted(this.current.failures + 1, minMs, maxMs)) {
      error = { ...error, message: `gave up after ${this.current.failures + 1} attempts: ${error.message}` };
      kind = 'stalled';
      reason = 'RetriesExhausted';
    }
    // While stalled, a failed drift repair leaves the Stalled condition (and its error) as it was.
    if (p.repairOnly) {
      this.metrics.reconciles.failed += 1;
      this.log(`drift repair towards the last good commit failed at ${step}: ${error.message}`, {
        level: 'warn',
        step,
        code: error.code,
      });
      return this.opts.intervalMs;
    }
    const revision = p.commit;
    if (!isRetried(kind)) {
      const health = e instanceof HealthCheckFailedError ? { health: e.health } : {};
      const failure: Failure = { error, step, kind, revision, ...(reason ? { reason } : {}), ...health };
      const inputs = { commit: revision, generation: p.generation };
      this.stalled = { inputs, failure };
      if (this.latest && sameInputs(this.latest.inputs, inputs)) this.latest = null;
      this.metrics.reconciles.stalled += 1;
      this.current = markFailed(this.current, failure, this.now());
      this.log(`stalled at ${step} on ${revision ?? 'working tree'} (${error.code}): ${error.message}`, {
        level: 'error',
        step,
        revision,
        code: error.code,
      });
      return this.opts.intervalMs;
    }
    const retryInMs = retryDelay(this.current.failures + 1, minMs, maxMs);
    this.metrics.reconciles.failed += 1;
    this.current = markFailed(this.current, { error, step, kind, revision, retryInMs }, this.now());
    this.log(`${step} failed (${error.code}), retry ${this.current.failures} in ${retryInMs} ms: ${error.message}`, {
      level: 'warn',
      step,
      revision,
      code: error.code,
    });
    return retryInMs;
  }

  private async writeStatus(): Promise<void> {
    await Promise.all(
      this.opts.stores.map(async (store) => {
        try {
          await store.write(this.current);
          this.answering.add(store.name);
        } catch (e) {
          this.answering.delete(store.name);
          this.metrics.statusWriteErrors[store.name] = (this.metrics.statusWriteErrors[store.name] ?? 0) + 1;
          this.log(`status write to ${store.name} failed: ${(e as Error).message}`, { level: 'warn', step: 'status' });
        }
      }),
    );
  }
}

function sameInputs(a: DesiredInputs, b: DesiredInputs): boolean {
  return a.commit === b.commit && a.generation === b.generation;
}

/** A validation error lists every diagnostic with its file:line, one per line; others keep their message. */
function describeError(e: unknown): string {
  if (e instanceof ValidationError)
    return e.diagnostics
      .filter((d) => d.severity === 'error')
      .map(formatDiagnostic)
      .join('\n');
  return e instanceof Error ? e.message : String(e);
}
