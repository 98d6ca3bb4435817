import type { NodeHold } from '../rollout/node-hold.js';
import type { HealthFailure } from '../health/index.js';
import { isRetried, type FailureKind } from './failure-kind.js';

export type ConditionType = 'Ready' | 'Reconciling' | 'Stalled';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A Kubernetes-style condition, as Flux's controllers report them. */
export interface Condition {
  readonly type: ConditionType;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  /** When `status` last changed; kept when only the reason or message does. */
  readonly lastTransitionTime: string;
}

/** The step of a pass that failed: fetch (resolve the ref), load (read, validate, compile), apply, verify, check (health). */
export type AgentStep = 'fetch' | 'load' | 'apply' | 'verify' | 'check';

export interface StatusError {
  readonly code: string;
  readonly message: string;
  readonly step: AgentStep;
  readonly kind: FailureKind;
  readonly at: string;
}

export interface LastReconcile {
  readonly at: string;
  readonly revision: string | null;
  readonly durationMs: number;
  readonly changes: number;
  readonly writes: number;
}

/** What a node's agent reports: written to the state file and etcd after every pass. */
export interface NodeStatus {
  readonly node: string;
  readonly repo: string;
  readonly rev: string;
  readonly updatedAt: string;
  readonly conditions: readonly Condition[];
  /** Commit the node enforces; null before the first success (or for a plain directory, which has none). */
  readonly lastAppliedRevision: string | null;
  /** When the node first enforced lastAppliedRevision (every pass of a plain directory); the last pass is lastReconcile. */
  readonly lastAppliedAt: string | null;
  /** Commit of the latest attempt, successful or not. */
  readonly lastAttemptedRevision: string | null;
  readonly lastError: StatusError | null;
  /** Transient failures in a row; 0 after a success. */
  readonly failures: number;
  readonly lastReconcile: LastReconcile | null;
  /** Set while a suspension, a pin or a staged rollout holds the node back from the branch head. */
  readonly hold?: NodeHold;
  /** The last revision whose health checks failed here, and the rollback; gone once a revision other than the one restored passes. */
  readonly health?: HealthFailure;
}

export function initialStatus(node: string, repo: string, rev: string, now: Date): NodeStatus {
  const at = now.toISOString();
  return {
    node,
    repo,
    rev,
    updatedAt: at,
    conditions: [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'Progressing',
        message: 'first reconcile pending',
        lastTransitionTime: at,
      },
      {
        type: 'Reconciling',
        status: 'True',
        reason: 'Progressing',
        message: 'first reconcile pending',
        lastTransitionTime: at,
      },
      { type: 'Stalled', status: 'False', reason: 'Progressing', message: '', lastTransitionTime: at },
    ],
    lastAppliedRevision: null,
    lastAppliedAt: null,
    lastAttemptedRevision: null,
    lastError: null,
    failures: 0,
    lastReconcile: null,
  };
}

/** A new commit is being worked on: Reconciling; Ready is left as it was until the outcome is known. */
export function markProgressing(s: NodeStatus, revision: string | null, now: Date): NodeStatus {
  const msg = `reconciling ${shortRevision(revision)}`;
  return withConditions({ ...s, lastAttemptedRevision: revision }, now, [['Reconciling', 'True', 'Progressing', msg]]);
}

export function markReady(s: NodeStatus, pass: LastReconcile, now: Date): NodeStatus {
  const msg = `applied revision ${shortRevision(pass.revision)}`;
  // When the node first enforced this commit: later passes at the same commit are in lastReconcile.
  const same = pass.revision !== null && pass.revision === s.lastAppliedRevision && s.lastAppliedAt !== null;
  return withConditions(
    {
      ...s,
      lastAppliedRevision: pass.revision,
      lastAppliedAt: same ? s.lastAppliedAt : pass.at,
      lastAttemptedRevision: pass.revision,
      lastError: null,
      failures: 0,
      lastReconcile: pass,
      // Back on the revision a failed one was rolled back to (a halted rollout's target): the failure still says why.
      health: s.health?.rolledBackTo === pass.revision ? s.health : undefined,
    },
    now,
    [
      ['Ready', 'True', 'ReconciliationSucceeded', msg],
      ['Reconciling', 'False', 'ReconciliationSucceeded', msg],
      ['Stalled', 'False', 'ReconciliationSucceeded', ''],
    ],
  );
}

export interface Failure {
  readonly error: { readonly code: string; readonly message: string };
  readonly step: AgentStep;
  readonly kind: FailureKind;
  readonly revision: string | null;
  /** When the next attempt runs (retried failures only). */
  readonly retryInMs?: number;
  /** The condition reason, when the step's own does not say it (RetriesExhausted). */
  readonly reason?: string;
  /** The failed checks and the rollback, for a failure at the check step. */
  readonly health?: HealthFailure;
}

const REASONS: Readonly<Record<AgentStep, string>> = {
  fetch: 'FetchFailed',
  load: 'ValidationFailed',
  apply: 'ApplyFailed',
  verify: 'VerifyFailed',
  check: 'HealthCheckFailed',
};

/**
 * Stalled (stalled or not-supported: a human must change the commit or the
 * node; no retry until a new one) or retried (transient or unknown:
 * Reconciling stays True, a retry is scheduled). Either way Ready is False and
 * the last applied revision is kept: the node still enforces it.
 */
export function markFailed(s: NodeStatus, f: Failure, now: Date): NodeStatus {
  const stepReason = f.step === 'load' && f.error.code !== 'E_VALIDATION' ? 'BuildFailed' : REASONS[f.step];
  const reason = f.reason ?? stepReason;
  const failures = isRetried(f.kind) ? s.failures + 1 : s.failures;
  const base = {
    ...s,
    lastAttemptedRevision: f.revision ?? s.lastAttemptedRevision,
    lastError: { ...f.error, step: f.step, kind: f.kind, at: now.toISOString() },
    failures,
    ...(f.health ? { health: f.health } : {}),
  };
  const held = s.lastAppliedRevision ? `; still enforcing ${shortRevision(s.lastAppliedRevision)}` : '';
  const msg = `${f.step} ${shortRevision(f.revision)}: ${firstLine(f.error.message)}${held}`;
  if (!isRetried(f.kind)) {
    return withConditions(base, now, [
      ['Ready', 'False', reason, msg],
      ['Reconciling', 'False', reason, ''],
      ['Stalled', 'True', reason, msg],
    ]);
  }
  const retry = `retry ${failures} in ${formatMs(f.retryInMs ?? 0)}`;
  return withConditions(base, now, [
    ['Ready', 'False', reason, msg],
    ['Reconciling', 'True', 'RetryScheduled', retry],
    ['Stalled', 'False', reason, ''],
  ]);
}

/** The last pass's numbers, without touching the conditions (drift repair while stalled on a newer commit). */
export function recordPass(s: NodeStatus, pass: LastReconcile, now: Date): NodeStatus {
  return { ...s, updatedAt: now.toISOString(), lastReconcile: pass, failures: 0 };
}

export function condition(s: NodeStatus, type: ConditionType): Condition | undefined {
  return s.conditions.find((c) => c.type === type);
}

export function isReady(s: NodeStatus): boolean {
  return condition(s, 'Ready')?.status === 'True';
}

export function shortRevision(revision: string | null): string {
  return revision === null ? 'working tree' : /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 12) : revision;
}

function withConditions(
  s: NodeStatus,
  now: Date,
  changes: readonly (readonly [ConditionType, ConditionStatus, string, string])[],
): NodeStatus {
  const at = now.toISOString();
  const conditions = s.conditions.map((c) => {
    const change = changes.find(([type]) => type === c.type);
    if (!change) return c;
    const [, status, reason, message] = change;
    return {
      type: c.type,
      status,
      reason,
      message,
      lastTransitionTime: status === c.status ? c.lastTransitionTime : at,
    };
  });
  return { ...s, updatedAt: at, conditions };
}

function firstLine(text: string): string {
  const lines = text.split('\n');
  return lines.length > 1 ? `${lines[0]} (+${lines.length - 1} more lines)` : text;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Math.round(ms / 100) / 10}s`;
}
