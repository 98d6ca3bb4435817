import { SourceRefNotFoundError } from '../errors/source-ref-not-found-error.js';
import { DEFAULT_MAX_FILE_BYTES, type SourceOptions } from '../source-options.js';

/** The subset of git's ref-name rules that keeps a revision from naming a path outside `refs/`. */
const BAD_REV = /(^|\/)\.|\.\.|[\0- ~^:?*[\\\x7f]|\/$|^\/|\.lock$|@\{/;

/** Trailing ancestry steps, git's `~N` (N-th first-parent ancestor) and `^N` (N-th parent). */
const ANCESTRY = /((?:[~^][0-9]*)+)$/;

export interface AncestryStep {
  readonly op: '~' | '^';
  readonly n: number;
}

/**
 * Checks a revision before it reaches the object database and splits off its
 * ancestry steps (`main~2`, `HEAD^`, `v1^2`): the base must be a plain ref
 * name or SHA. Returns the base unchanged and the steps in order.
 */
export function checkRev(repo: string, rev: string | undefined): string | undefined {
  return splitRev(repo, rev).base;
}

/** Remote revisions are fetched shallowly, so ancestry cannot be walked there. */
export function refuseAncestry(repo: string, rev: string | undefined): void {
  if (splitRev(repo, rev).steps.length > 0) {
    throw new SourceRefNotFoundError({ repo, ref: String(rev), reason: 'needs-history' });
  }
}

export function splitRev(repo: string, rev: string | undefined): { base: string | undefined; steps: AncestryStep[] } {
  if (rev === undefined) return { base: undefined, steps: [] };
  const suffix = ANCESTRY.exec(rev)?.[1] ?? '';
  const base = rev.slice(0, rev.length - suffix.length);
  if (base === '' || BAD_REV.test(base)) throw new SourceRefNotFoundError({ repo, ref: rev, reason: 'unknown' });
  const steps = [...suffix.matchAll(/([~^])([0-9]*)/g)].map(([, op, n]) => ({
    op: op as '~' | '^',
    n: n === '' ? 1 : Number(n),
  }));
  return { base, steps };
}

export function checkMaxFileBytes(opts: SourceOptions): number {
  const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!Number.isSafeInteger(max) || max <= 0)
    throw new RangeError(`maxFileBytes must be a positive integer, got ${max}`);
  return max;
}
