import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { SourceRefNotFoundError } from '../errors/source-ref-not-found-error.js';
import { mapTransportError, redact } from './map-transport-error.js';
import { peelToCommit } from './peel-to-commit.js';
import { dropFragmentedCache, openRemoteCache, withCacheLock } from './remote-cache.js';
import type { RemoteConnection } from './remote-connection.js';
import type { RemoteTarget } from './remote-refs.js';
import { expandShort } from './resolve-local-revision.js';

export interface SyncedCommit {
  /** The cache's bare repository, holding `commit` and its whole tree. */
  readonly gitdir: string;
  readonly commit: string;
}

/**
 * Makes sure the cache for `conn.url` holds the commit `target` names. Nothing
 * is fetched when it is already there. A ref fetched before is fetched again
 * offering its last commit as "have", so only new objects come; anything else
 * is fetched at depth 1, a snapshot without history. `use` runs while the
 * cache is held, so no other call in this process fetches into or drops it meanwhile.
 */
export async function syncRemote<T>(
  conn: RemoteConnection,
  target: RemoteTarget,
  rev: string,
  cacheDir: string,
  use: (synced: SyncedCommit) => Promise<T>,
): Promise<T> {
  const repo = redact(conn.url);
  const gitdir = await openRemoteCache(conn.url, cacheDir);
  return withCacheLock(gitdir, async () => {
    if (await dropFragmentedCache(gitdir)) await openRemoteCache(conn.url, cacheDir);
    if (target.kind === 'short') {
      const oid = await expandShort(gitdir, target.prefix, repo, {});
      const commit = oid === undefined ? undefined : await peelToCommit(gitdir, oid, {});
      if (commit === undefined) throw new SourceRefNotFoundError({ repo, ref: rev, reason: 'not-advertised' });
      if (commit === 'not-a-commit') throw new SourceRefNotFoundError({ repo, ref: rev, reason: 'not-a-commit' });
      return use({ gitdir, commit });
    }
    const seenRef = target.kind === 'ref' ? `refs/gitwire/fetched/${target.fullref.replace(/^refs\//, '')}` : undefined;
    let commit = await peelToCommit(gitdir, target.kind === 'ref' ? target.commit : target.oid, {});
    if (commit === undefined) {
      await fetchOne(conn, gitdir, target, seenRef);
      // A fresh cache object: the one used before the fetch does not know the new pack.
      commit = await peelToCommit(gitdir, target.oid, {});
    }
    // A server that refuses a SHA (`not our ref`) ends the fetch with no pack; this is where that shows.
    if (commit === undefined) {
      throw new SourceRefNotFoundError({
        repo,
        ref: rev,
        reason: target.kind === 'sha' ? 'not-advertised' : 'unknown',
      });
    }
    if (commit === 'not-a-commit') throw new SourceRefNotFoundError({ repo, ref: rev, reason: 'not-a-commit' });
    if (seenRef !== undefined) await git.writeRef({ fs, gitdir, ref: seenRef, value: commit, force: true });
    return use({ gitdir, commit });
  });
}

async function fetchOne(
  conn: RemoteConnection,
  gitdir: string,
  target: RemoteTarget & { kind: 'ref' | 'sha' },
  seenRef: string | undefined,
): Promise<void> {
  // git's upload-pack ignores "have" lines once a depth is asked for, so a depth-1
  // fetch always sends the whole tree: use it only when there is nothing to offer.
  const seen = seenRef === undefined ? undefined : await resolveOwnRef(gitdir, seenRef);
  const haveIt = seen !== undefined && (await peelToCommit(gitdir, seen, {})) === seen;
  try {
    await git.fetch({
      fs,
      http: conn.http,
      gitdir,
      url: conn.url,
      headers: conn.headers(),
      onAuth: conn.onAuth,
      // `ref` names the local ref whose commit is offered as "have"; `remoteRef` is what is wanted.
      ...(haveIt ? { ref: seenRef } : { depth: 1 }),
      remoteRef: target.kind === 'ref' ? target.fullref : target.oid,
      singleBranch: true,
      tags: false,
    });
    const stopped = conn.http.stopped();
    if (stopped) throw stopped;
  } catch (err) {
    throw mapTransportError(err, conn);
  }
}

async function resolveOwnRef(gitdir: string, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, gitdir, ref });
  } catch (err) {
    if (err instanceof git.Errors.NotFoundError) return undefined;
    throw err;
  }
}
