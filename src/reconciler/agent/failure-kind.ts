/**
 * Codes of errors a retry cannot fix: the commit (or the node) needs a human.
 * The agent marks these Stalled and waits for a new commit instead of retrying.
 */
const STALLED_CODES = new Set([
  'E_VALIDATION',
  'E_STALLED',
  'E_NOT_SUPPORTED',
  'E_COMPILE_NO_CLUSTER',
  'E_COMPILE_UNKNOWN_NODE',
  'E_COMPILE_IDENTITY_MISSING',
  'E_POLICY_TOO_LARGE',
  'E_SOURCE_FILE_TOO_LARGE',
  'E_SOURCE_SYMLINK_ESCAPE',
]);

export type FailureKind = 'stalled' | 'transient';

/** Stalled for the codes above; anything else (network, a busy kernel object, a race) is transient and retried. */
export function failureKind(err: unknown): FailureKind {
  return STALLED_CODES.has(errorCode(err)) ? 'stalled' : 'transient';
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'E_UNKNOWN';
}
