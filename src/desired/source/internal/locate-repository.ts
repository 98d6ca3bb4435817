import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceNotARepositoryError } from '../errors/source-not-a-repository-error.js';

export type RepoLocation =
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'git'; readonly gitdir: string }
  | { readonly kind: 'directory'; readonly dir: string };

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** Decides how to read `repo`: over HTTP, from a git object database on disk, or as a plain directory. */
export async function locateRepository(repo: string): Promise<RepoLocation> {
  if (/^https?:\/\//i.test(repo)) return { kind: 'http', url: repo.replace(/\/+$/, '') };
  if (/^file:\/\//i.test(repo)) return locateRepository(fileURLToPath(repo));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^/]+:/.test(repo)) {
    throw new SourceNotARepositoryError({ repo, reason: 'unsupported-transport' });
  }
  const dir = resolve(repo);
  if (!(await isDir(dir))) throw new SourceNotARepositoryError({ repo, reason: 'missing' });
  const dotGit = join(dir, '.git');
  if (await isDir(dotGit)) return { kind: 'git', gitdir: dotGit };
  if (await isFile(dotGit)) {
    // A `.git` file (`gitdir: <path>`) is how submodules and linked work trees point at their object database.
    const pointer = /^gitdir:\s*(.+)$/m.exec(await readFile(dotGit, 'utf8'));
    if (pointer?.[1]) return { kind: 'git', gitdir: resolve(dir, pointer[1].trim()) };
  }
  const bare =
    (await isFile(join(dir, 'HEAD'))) && (await isDir(join(dir, 'objects'))) && (await isDir(join(dir, 'refs')));
  return bare ? { kind: 'git', gitdir: dir } : { kind: 'directory', dir };
}
