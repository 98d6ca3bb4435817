/**
 * What an error means for whoever retries, said where the error is raised:
 * `stalled` (a human must change the declaration or the node; retrying cannot
 * help), `transient` (a later attempt may succeed), `not-supported` (the
 * kernel lacks a feature; conclusive, never retried).
 */
export type ErrorKind = 'stalled' | 'transient' | 'not-supported';

export const ERROR_KINDS: readonly ErrorKind[] = ['stalled', 'transient', 'not-supported'];

/** The kind an error carries, or null for an error that does not say (a bug, a library's own error). */
export function errorKindOf(err: unknown): ErrorKind | null {
  const kind = (err as { errorKind?: unknown } | null)?.errorKind;
  return ERROR_KINDS.find((k) => k === kind) ?? null;
}
