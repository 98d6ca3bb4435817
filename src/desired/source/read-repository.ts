import { SourceNotARepositoryError } from './errors/source-not-a-repository-error.js';
import { SourceSignatureError } from './errors/source-signature-error.js';
import { checkMaxFileBytes, checkRev, refuseAncestry } from './internal/check-options.js';
import { diskTreeReader } from './internal/disk-tree-reader.js';
import { locateRepository } from './internal/locate-repository.js';
import { walkTree, type WalkResult } from './internal/tree-walker.js';
import type { RepoTree } from './repo-tree.js';
import { defaultCacheDir, type SourceOptions } from './source-options.js';

/**
 * Reads the files of a configuration repository at one revision: an http(s)
 * URL (shallow-fetched into a cache kept between runs), a git repository on
 * disk (bare or not, read from its object database), or a plain directory
 * (read as it is, revision null). Throws a SourceError subclass on failure.
 */
export async function readRepository(repo: string, opts: SourceOptions = {}): Promise<RepoTree> {
  checkRev(repo, opts.rev);
  const rev = opts.rev;
  const maxFileBytes = checkMaxFileBytes(opts);
  const where = await locateRepository(repo);
  switch (where.kind) {
    case 'directory': {
      if (rev !== undefined) throw new SourceNotARepositoryError({ repo, reason: 'no-history' });
      if (opts.verify) throw new SourceSignatureError({ commit: null, mode: opts.verify.mode, reason: 'no-commit' });
      return repoTree(null, repo, await walkTree(diskTreeReader(where.dir), maxFileBytes));
    }
    case 'git': {
      // Not git-readers.js: its remote half loads isomorphic-git, which a local read may not need.
      const [{ readGitTree }, { resolveLocalRevision }] = await Promise.all([
        import('./internal/read-git-tree.js'),
        import('./internal/resolve-local-revision.js'),
      ]);
      const commit = await resolveLocalRevision(where.gitdir, rev, repo, {});
      return repoTree(commit, rev ?? 'HEAD', await readGitTree(where.gitdir, commit, maxFileBytes, opts.verify));
    }
    case 'http': {
      refuseAncestry(repo, rev);
      const { listRemoteRefs, matchRemoteRef, openTransfer, readGitTree, remoteConnection, syncRemote } =
        await import('./internal/git-readers.js');
      const transfer = openTransfer(opts);
      try {
        const conn = remoteConnection(where.url, opts.auth, transfer);
        const target = matchRemoteRef(await listRemoteRefs(conn), rev, conn);
        const cacheDir = opts.cacheDir ?? defaultCacheDir();
        return await syncRemote(conn, target, rev ?? 'HEAD', cacheDir, async ({ gitdir, commit }) =>
          repoTree(commit, rev ?? 'HEAD', await readGitTree(gitdir, commit, maxFileBytes, opts.verify)),
        );
      } finally {
        transfer.dispose();
      }
    }
  }
}

function repoTree(revision: string | null, ref: string, { files, notes }: WalkResult): RepoTree {
  return Object.freeze({
    revision,
    ref,
    files: Object.freeze(files.map((f) => Object.freeze(f))),
    notes: Object.freeze(notes.map((n) => Object.freeze(n))),
  });
}
