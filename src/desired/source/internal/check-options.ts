import { SourceRefNotFoundError } from '../errors/source-ref-not-found-error.js';
import { DEFAULT_MAX_FILE_BYTES, type SourceOptions } from '../source-options.js';

/** The subset of git's ref-name rules that keeps a revision from naming a path outside `refs/`. */
const BAD_REV = /(^|\/)\.|\.\.|[\0- ~^:?*[\\\x7f]|\/$|^\/|\.lock$|@\{/;

/** Checks a revision before it reaches the object database; returns it unchanged. */
export function checkRev(repo: string, rev: string | undefined): string | undefined {
  if (rev !== undefined && (rev === '' || BAD_REV.test(rev))) {
    throw new SourceRefNotFoundError({ repo, ref: rev, reason: 'unknown' });
  }
  return rev;
}

export function checkMaxFileBytes(opts: SourceOptions): number {
  const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!Number.isSafeInteger(max) || max <= 0)
    throw new RangeError(`maxFileBytes must be a positive integer, got ${max}`);
  return max;
}
