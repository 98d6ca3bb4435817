import { describe, expect, it } from 'vitest';
import { NotSupportedError, StalledError, TransientError } from '../../src/datapath/index.js';
import { BpfError } from '../../src/datapath/libbpf/bpf-error.js';
import {
  CompileError,
  SourceFileTooLargeError,
  SourceUnreachableError,
  ValidationError,
} from '../../src/desired/index.js';
import { failureKind, isRetried } from '../../src/reconciler/agent/failure-kind.js';
import { retriesExhausted, retryDelay } from '../../src/reconciler/agent/retry-backoff.js';

describe('failure kinds, as the errors carry them', () => {
  it('stalls on a verifier rejection and a pinned map of another layout, which no retry fixes', () => {
    expect(failureKind(new BpfError('BPF_VERIFIER_REJECTED', 'program load', 13))).toBe('stalled');
    expect(failureKind(new BpfError('BPF_PINNED_MAP_MISMATCH', 'map reuse', 22))).toBe('stalled');
    expect(failureKind(new BpfError('BPF_NOT_SUPPORTED', 'link create', 95))).toBe('not-supported');
    expect(failureKind(new BpfError('BPF_CALL_FAILED', 'map update', 16))).toBe('transient');
  });

  it('reads the kind of every gitwire error family from the error itself', () => {
    expect(failureKind(new StalledError('link add', 'name taken'))).toBe('stalled');
    expect(failureKind(new TransientError('link add', 'busy'))).toBe('transient');
    expect(failureKind(new NotSupportedError('geneve', 'CONFIG_GENEVE', 'no module'))).toBe('not-supported');
    expect(failureKind(new ValidationError([]))).toBe('stalled');
    expect(failureKind(new CompileError('E_COMPILE_UNKNOWN_NODE', 'no node'))).toBe('stalled');
    expect(failureKind(new SourceFileTooLargeError({ path: 'a.yaml', size: 9, limit: 1 }))).toBe('stalled');
    expect(failureKind(new SourceUnreachableError({ url: 'https://git.test/x.git', reason: 'ECONNREFUSED' }))).toBe(
      'transient',
    );
  });

  it('calls an error that does not say what it is unknown, whatever its code looks like', () => {
    expect(failureKind(new TypeError('x is undefined'))).toBe('unknown');
    expect(failureKind(Object.assign(new Error('x'), { code: 'E_STALLED' }))).toBe('unknown');
    expect(failureKind(Object.assign(new Error('x'), { errorKind: 'sometimes' }))).toBe('unknown');
    expect(failureKind('a string')).toBe('unknown');
  });

  it('retries transient and unknown failures only', () => {
    expect(['stalled', 'transient', 'not-supported', 'unknown'].filter((k) => isRetried(k as never))).toEqual([
      'transient',
      'unknown',
    ]);
  });
});

describe('the retry ceiling for errors of unknown kind', () => {
  it('allows five attempts at the one-minute delay, then gives up: the 16th failure in a row', () => {
    expect(retryDelay(11)).toBe(60_000);
    expect(retryDelay(10)).toBeLessThan(60_000);
    expect(retriesExhausted(15)).toBe(false);
    expect(retriesExhausted(16)).toBe(true);
  });

  it('counts from the first failure that waits the ceiling, with any delays and any count at the ceiling', () => {
    expect(retriesExhausted(7, 1, 4)).toBe(false);
    expect(retriesExhausted(8, 1, 4)).toBe(true);
    expect(retriesExhausted(1, 10, 10, 0)).toBe(true);
    expect(retriesExhausted(2, 10, 10, 1)).toBe(true);
    expect(retriesExhausted(1, 10, 10, 1)).toBe(false);
  });
});
