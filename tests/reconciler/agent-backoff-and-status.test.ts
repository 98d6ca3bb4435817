import { describe, expect, it } from 'vitest';
import {
  condition,
  initialStatus,
  isReady,
  markFailed,
  markProgressing,
  markReady,
  parseDuration,
  renderStatusText,
  retryDelay,
  type NodeStatus,
} from '../../src/reconciler/agent/index.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
const pass = (revision: string, at: Date) => ({
  at: at.toISOString(),
  revision,
  durationMs: 12,
  changes: 3,
  writes: 5,
});
const statusOf = (s: NodeStatus) => Object.fromEntries(s.conditions.map((c) => [c.type, c.status]));
const validation = { code: 'E_VALIDATION', message: 'rule1.yaml:7: spec.ingress[0].toPorts: bad port' };

describe('retry backoff', () => {
  it('doubles from 100 ms and stops at one minute', () => {
    const schedule = Array.from({ length: 14 }, (_, i) => retryDelay(i + 1));
    expect(schedule).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000, 60000, 60000]);
  });

  it('stays at the ceiling for any number of failures, with no overflow', () => {
    expect(retryDelay(10_000)).toBe(60_000);
    expect(retryDelay(0)).toBe(0);
    expect(retryDelay(3, 10, 35)).toBe(35);
  });
});

describe('durations', () => {
  it('read Go-style durations as the deployment passes them', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1h')).toBe(3_600_000);
  });

  it('refuse bare numbers, unknown units and zero', () => {
    for (const bad of ['30', '5x', '0s', '', 's30', '1m 2s']) expect(() => parseDuration(bad)).toThrow(RangeError);
  });
});

describe('node status conditions', () => {
  it('start Ready=Unknown and Reconciling until the first pass', () => {
    const s = initialStatus('n1', 'https://git/cfg.git', 'main', t(0));
    expect(statusOf(s)).toEqual({ Ready: 'Unknown', Reconciling: 'True', Stalled: 'False' });
    expect(isReady(s)).toBe(false);
  });

  it('become Ready with the applied revision after a success', () => {
    const s = markReady(initialStatus('n1', 'r', 'main', t(0)), pass(A, t(1)), t(2));
    expect(statusOf(s)).toEqual({ Ready: 'True', Reconciling: 'False', Stalled: 'False' });
    expect(s.lastAppliedRevision).toBe(A);
    expect(s.lastAttemptedRevision).toBe(A);
    expect(condition(s, 'Ready')!.lastTransitionTime).toBe(t(2).toISOString());
  });

  it('keep the time a revision was first applied through the passes that keep it, and move it with the next revision', () => {
    let s = markReady(initialStatus('n1', 'r', 'main', t(0)), pass(A, t(1)), t(1));
    s = markReady(s, pass(A, t(5)), t(5));
    expect(s.lastAppliedAt).toBe(t(1).toISOString());
    expect(s.lastReconcile!.at).toBe(t(5).toISOString());
    s = markReady(s, pass(B, t(7)), t(7));
    expect(s.lastAppliedAt).toBe(t(7).toISOString());
  });

  it('on a bad commit: Stalled, not Reconciling, while the last good revision stays applied', () => {
    let s = markReady(initialStatus('n1', 'r', 'main', t(0)), pass(A, t(1)), t(1));
    s = markProgressing(s, B, t(2));
    expect(statusOf(s)).toEqual({ Ready: 'True', Reconciling: 'True', Stalled: 'False' });
    s = markFailed(s, { error: validation, step: 'load', kind: 'stalled', revision: B }, t(3));
    expect(statusOf(s)).toEqual({ Ready: 'False', Reconciling: 'False', Stalled: 'True' });
    expect(condition(s, 'Stalled')!.reason).toBe('ValidationFailed');
    expect(condition(s, 'Ready')!.message).toContain('rule1.yaml:7');
    expect(condition(s, 'Ready')!.message).toContain(`still enforcing ${A.slice(0, 12)}`);
    expect(s.lastAppliedRevision).toBe(A);
    expect(s.lastAttemptedRevision).toBe(B);
    expect(s.lastError).toMatchObject({ code: 'E_VALIDATION', step: 'load', kind: 'stalled' });
    expect(s.failures).toBe(0);
  });

  it('on a transient failure: Reconciling with the retry scheduled, failures counted', () => {
    let s = initialStatus('n1', 'r', 'main', t(0));
    const err = { code: 'E_SOURCE_UNREACHABLE', message: 'connect ECONNREFUSED' };
    s = markFailed(s, { error: err, step: 'fetch', kind: 'transient', revision: null, retryInMs: 100 }, t(1));
    s = markFailed(s, { error: err, step: 'fetch', kind: 'transient', revision: null, retryInMs: 200 }, t(2));
    expect(statusOf(s)).toEqual({ Ready: 'False', Reconciling: 'True', Stalled: 'False' });
    expect(condition(s, 'Reconciling')).toMatchObject({ reason: 'RetryScheduled', message: 'retry 2 in 200ms' });
    expect(condition(s, 'Ready')!.reason).toBe('FetchFailed');
    expect(s.failures).toBe(2);
    // Ready went Unknown → False at the first failure and has not changed since.
    expect(condition(s, 'Ready')!.lastTransitionTime).toBe(t(1).toISOString());
    s = markReady(s, pass(A, t(3)), t(3));
    expect(s.failures).toBe(0);
    expect(s.lastError).toBeNull();
  });

  it('render as text with the conditions, the revisions and every line of the error', () => {
    let s = markReady(initialStatus('n1', 'https://git/cfg.git', 'main', t(0)), pass(A, t(1)), t(1));
    const twoErrors = { code: 'E_VALIDATION', message: 'a.yaml:1: first\nb.yaml:2: second' };
    s = markFailed(s, { error: twoErrors, step: 'load', kind: 'stalled', revision: B }, t(2));
    const text = renderStatusText([s]);
    expect(text).toContain('Node n1: Stalled');
    expect(text).toContain('source:     https://git/cfg.git @ main');
    expect(text).toContain(`applied:    ${A.slice(0, 12)} at ${t(1).toISOString()}`);
    expect(text).toContain(`attempted:  ${B.slice(0, 12)}`);
    expect(text).toMatch(/Stalled\s+True\s+ValidationFailed: load bbbbbbbbbbbb: a.yaml:1: first \(\+1 more lines\)/);
    expect(text).toContain('    b.yaml:2: second');
    expect(renderStatusText([markReady(s, pass(B, t(3)), t(3))])).toContain('Node n1: Ready');
  });
});
