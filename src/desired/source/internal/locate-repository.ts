import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceNotARepositoryError } from '../errors/source-not-a-repository-error.js';

export type RepoLocation =
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'git'; readonly gitdir: string }
  | { readonly kind: 'directory'; readonly dir: string };

// Synchronous: a few stats at every CLI start, cheaper than fs/promises' thread-pool round trips.
const statOrNull = (p: string) => {
  try {
    return statSync(p);
  } catch {
    return null;
  }
};
const isDir = (p: string) => statOrNull(p)?.isDirectory() ?? false;
const isFile = (p: string) => statOrNull(p)?.isFile() ?? false;

/** Decides how to read `repo`: over HTTP, from a git object database on disk, or as a plain directory. */
export async function locateRepository(repo: string): Promise<RepoLocation> {
  if (/^https?:\/\//i.test(repo)) return { kind: 'http', url: repo.replace(/\/+$/, '') };
  if (/^file:\/\//i.test(repo)) return locateRepository(fileURLToPath(repo));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^/]+:/.test(repo)) {
    throw new SourceNotARepositoryError({ repo, reason: 'unsupported-transport' });
  }
  const dir = resolve(repo);
  if (!isDir(dir)) throw new SourceNotARepositoryError({ repo, reason: 'missing' });
  const dotGit = join(dir, '.git');
  if (isDir(dotGit)) return { kind: 'git', gitdir: dotGit };
  if (isFile(dotGit)) {
    // A `.git` file (`gitdir: <path>`) is how submodules and linked work trees point at their object database.
    const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (pointer?.[1]) return { kind: 'git', gitdir: resolve(dir, pointer[1].trim()) };
  }
  const bare = isFile(join(dir, 'HEAD')) && isDir(join(dir, 'objects')) && isDir(join(dir, 'refs'));
  return bare ? { kind: 'git', gitdir: dir } : { kind: 'directory', dir };
}
