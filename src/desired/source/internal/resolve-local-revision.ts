import * as fs from 'node:fs';
import { SourceRefNotFoundError } from '../errors/source-ref-not-found-error.js';
import { splitRev, type AncestryStep } from './check-options.js';
import { isomorphicGit } from './isomorphic-git.js';
import { ObjectHeaders } from './object-header.js';
import { peelToCommit } from './peel-to-commit.js';

const HEX = /^[0-9a-f]{4,40}$/i;
const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * Resolves `rev` (default HEAD) in the object database at `gitdir` to a commit
 * SHA: refs first, in git's order (`refs/<x>`, tags, heads, remotes), then a full or short SHA.
 */
export async function resolveLocalRevision(
  gitdir: string,
  rev: string | undefined,
  repo: string,
  cache: object,
): Promise<string> {
  const { base, steps } = splitRev(repo, rev);
  let commit = await resolveBase(gitdir, base, repo, cache);
  for (const step of steps) {
    const found = await ancestor(gitdir, commit, step, cache);
    if (found === undefined) throw new SourceRefNotFoundError({ repo, ref: rev ?? 'HEAD', reason: 'unknown' });
    commit = found;
  }
  return commit;
}

/** `~n` walks n first parents; `^n` takes the n-th parent (`^0` is the commit itself). */
async function ancestor(gitdir: string, oid: string, step: AncestryStep, cache: object): Promise<string | undefined> {
  const git = await isomorphicGit();
  if (step.op === '^') {
    if (step.n === 0) return oid;
    const { commit } = await git.readCommit({ fs, gitdir, oid, cache });
    return commit.parent[step.n - 1];
  }
  let at: string | undefined = oid;
  for (let i = 0; i < step.n && at !== undefined; i++) {
    at = (await git.readCommit({ fs, gitdir, oid: at, cache })).commit.parent[0];
  }
  return at;
}

async function resolveBase(gitdir: string, rev: string | undefined, repo: string, cache: object): Promise<string> {
  const ref = rev ?? 'HEAD';
  const notFound = (reason: 'unknown' | 'not-a-commit' | 'empty-repository', cause?: unknown) =>
    new SourceRefNotFoundError({ repo, ref, reason }, cause);
  // A full SHA resolves to itself (isomorphic-git's resolveRef says the same); one of a commit is the answer.
  if (FULL_SHA.test(ref) && (await commitHeader(gitdir, ref))) return ref;
  const git = await isomorphicGit();
  let oid: string | undefined;
  try {
    oid = await git.resolveRef({ fs, gitdir, ref });
  } catch (err) {
    if (!(err instanceof git.Errors.NotFoundError)) throw err;
    if (ref === 'HEAD') throw notFound('empty-repository', err);
  }
  if (oid === undefined && HEX.test(ref)) oid = await expandShort(gitdir, ref, repo, cache);
  if (oid === undefined) throw notFound('unknown');
  const commit = await peelToCommit(gitdir, oid, cache);
  if (commit === undefined) throw notFound('unknown');
  if (commit === 'not-a-commit') throw notFound('not-a-commit');
  return commit;
}

/** Whether `oid` is a commit by its header (anything else, or a header that does not read, goes the long way). */
async function commitHeader(gitdir: string, oid: string): Promise<boolean> {
  const header = await new ObjectHeaders(gitdir).header(oid).catch(() => undefined);
  return header?.type === 'commit';
}

/** Expands a short SHA against the local object database; undefined when nothing matches. */
export async function expandShort(
  gitdir: string,
  short: string,
  repo: string,
  cache: object,
): Promise<string | undefined> {
  const git = await isomorphicGit();
  try {
    return await git.expandOid({ fs, gitdir, oid: short.toLowerCase(), cache });
  } catch (err) {
    if (err instanceof git.Errors.AmbiguousError) {
      throw new SourceRefNotFoundError({ repo, ref: short, reason: 'ambiguous', matches: err.data.matches }, err);
    }
    if (err instanceof git.Errors.NotFoundError) return undefined;
    throw err;
  }
}
