import { errorKindOf, type ErrorKind } from '../../desired/error-kind.js';

/**
 * How the agent treats a failure: by the kind the error carries where it was
 * raised, or `unknown` for an error that carries none (a bug, a library's
 * own error), which is retried up to a ceiling and then reported Stalled.
 */
export type FailureKind = ErrorKind | 'unknown';

export function failureKind(err: unknown): FailureKind {
  return errorKindOf(err) ?? 'unknown';
}

/** Kinds the agent retries with backoff; the others wait for a new commit (or a new cluster generation). */
export function isRetried(kind: FailureKind): boolean {
  return kind === 'transient' || kind === 'unknown';
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'E_UNKNOWN';
}
