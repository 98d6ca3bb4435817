import { SourceNotARepositoryError } from './errors/source-not-a-repository-error.js';
import { SourceRefNotFoundError } from './errors/source-ref-not-found-error.js';
import { checkRev, refuseAncestry } from './internal/check-options.js';
import { locateRepository } from './internal/locate-repository.js';
import { defaultCacheDir, type SourceOptions } from './source-options.js';

/**
 * Resolves a branch, tag, full or short SHA, `refs/...` or `HEAD` to the full
 * SHA of the commit it names. Over HTTP an advertised ref costs one request and
 * no fetch; a SHA that is no tip is fetched (or found in the cache) to prove it exists.
 */
export async function resolveRevision(
  repo: string,
  rev: string,
  opts: Omit<SourceOptions, 'rev' | 'maxFileBytes'> = {},
): Promise<string> {
  if (checkRev(repo, rev) === undefined)
    throw new SourceRefNotFoundError({ repo, ref: String(rev), reason: 'unknown' });
  const where = await locateRepository(repo);
  if (where.kind === 'directory') throw new SourceNotARepositoryError({ repo, reason: 'no-history' });
  const { listRemoteRefs, matchRemoteRef, openTransfer, remoteConnection, resolveLocalRevision, syncRemote } =
    await import('./internal/git-readers.js');
  switch (where.kind) {
    case 'git':
      return resolveLocalRevision(where.gitdir, rev, repo, {});
    case 'http': {
      refuseAncestry(repo, rev);
      const transfer = openTransfer(opts);
      try {
        const conn = remoteConnection(where.url, opts.auth, transfer);
        const target = matchRemoteRef(await listRemoteRefs(conn), rev, conn);
        if (target.kind === 'ref') return target.commit;
        return await syncRemote(conn, target, rev, opts.cacheDir ?? defaultCacheDir(), async ({ commit }) => commit);
      } finally {
        transfer.dispose();
      }
    }
  }
}
