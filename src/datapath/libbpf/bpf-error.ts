import { strerror } from './internal/ffi.js';
import { errnoName } from './internal/errno-name.js';
import type { ErrorKind } from '../../desired/error-kind.js';

export type BpfErrorCode =
  'BPF_CALL_FAILED' | 'BPF_NOT_SUPPORTED' | 'BPF_PINNED_MAP_MISMATCH' | 'BPF_VERIFIER_REJECTED';

/**
 * A program the verifier rejects, or a pinned map whose layout differs from
 * this build's, fails the same way on every retry: a human must act.
 */
const KIND_OF: Readonly<Record<BpfErrorCode, ErrorKind>> = {
  BPF_CALL_FAILED: 'transient',
  BPF_NOT_SUPPORTED: 'not-supported',
  BPF_PINNED_MAP_MISMATCH: 'stalled',
  BPF_VERIFIER_REJECTED: 'stalled',
};

/**
 * A failed libbpf or BPF syscall. The message starts with the operation
 * ("map batch lookup: ENOENT (No such file or directory)"); `log` holds what
 * libbpf printed meanwhile, e.g. the verifier's log of a rejected program.
 */
export class BpfError extends Error {
  override readonly name = 'BpfError';

  constructor(
    readonly code: BpfErrorCode,
    readonly op: string,
    readonly errno: number,
    detail = '',
    readonly log = '',
  ) {
    super(`${op}: ${errnoName(errno)} (${strerror(errno)})${detail ? `: ${detail}` : ''}${log ? `\n${log}` : ''}`);
  }

  get errorKind(): ErrorKind {
    return KIND_OF[this.code];
  }

  get errnoName(): string {
    return errnoName(this.errno);
  }
}

/** Throws a BpfError for a negative libbpf return value; returns it otherwise. */
export function check(ret: number, op: string, detail = ''): number {
  if (ret < 0) throw new BpfError('BPF_CALL_FAILED', op, -ret, detail);
  return ret;
}
