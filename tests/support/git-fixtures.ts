import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** New content of a file, `null` to delete it, or a symbolic link to create. */
export type FileChange = string | Uint8Array | null | { readonly symlink: string };
/** One commit: path (with `/`) → change. */
export type CommitSpec = Readonly<Record<string, FileChange>>;

// Fixed identity and dates so fixtures do not depend on the user's git config and SHAs are reproducible.
const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'gitwire test',
  GIT_AUTHOR_EMAIL: 'test@gitwire.invalid',
  GIT_COMMITTER_NAME: 'gitwire test',
  GIT_COMMITTER_EMAIL: 'test@gitwire.invalid',
};
let clock = 1_700_000_000;

/** Runs `git` in `cwd` and returns its trimmed stdout; throws with git's stderr on failure. */
export function git(cwd: string, ...args: string[]): string {
  const date = `${clock++} +0000`;
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'core.symlinks=true', ...args], {
    cwd,
    env: { ...process.env, ...GIT_ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** A fresh directory under the system temp dir; remove it with `removeDir`. */
export function makeTempDir(prefix = 'gitwire-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes the changes into the work tree of `dir` and commits them; returns the new commit's full SHA. */
export function commitFiles(dir: string, changes: CommitSpec, message = 'change'): string {
  for (const [path, change] of Object.entries(changes)) {
    const file = join(dir, path);
    rmSync(file, { recursive: true, force: true });
    if (change === null) continue;
    mkdirSync(dirname(file), { recursive: true });
    if (typeof change === 'object' && 'symlink' in change) symlinkSync(change.symlink, file);
    else writeFileSync(file, change);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/**
 * Creates (or continues) a repository with a work tree at `dir` and makes one
 * commit per spec on the current branch; returns their SHAs in order.
 */
export function makeRepo(dir: string, commits: readonly CommitSpec[]): string[] {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q');
  return commits.map((spec, i) => commitFiles(dir, spec, `commit ${i + 1}`));
}

/** Tags `rev` (default HEAD); annotated when a message is given. */
export function tagRepo(dir: string, name: string, opts: { rev?: string; message?: string } = {}): void {
  const rev = opts.rev ?? 'HEAD';
  if (opts.message === undefined) git(dir, 'tag', name, rev);
  else git(dir, 'tag', '-a', name, '-m', opts.message, rev);
}

/** A bare copy of `src` with every branch and tag, at `dest`; returns `dest`. */
export function makeBare(src: string, dest: string): string {
  git(dirname(dest), 'clone', '-q', '--bare', '--no-local', src, dest);
  return dest;
}

/** Pushes every branch and tag of the work tree `src` into the bare repository `bare`. */
export function pushAll(src: string, bare: string): void {
  git(src, 'push', '-q', '--force', bare, 'refs/heads/*:refs/heads/*', 'refs/tags/*:refs/tags/*');
}

/** The standard fixture: a work-tree repository and a bare copy, with known revisions. */
export interface FixtureRepo {
  readonly work: string;
  readonly bare: string;
  /** main's commits, oldest first. */
  readonly main: readonly string[];
  /** Tip of branch `feature`, forked from main's second commit. */
  readonly feature: string;
  /** Tip of branch `escape`: holds `policies/leak.yaml -> ../../outside.yaml`. */
  readonly escape: string;
  /** Tip of branch `escape-absolute`: holds `abs.yaml -> /etc/hostname`. */
  readonly escapeAbsolute: string;
}

/**
 * Builds the standard fixture under `root`: main with four commits (tag `v1`
 * lightweight on the first, `v2` annotated on the second, the third no ref's
 * tip, the fourth main's head), a symlink to a file
 * and one to a directory inside the tree, branch `feature`, and branches
 * `escape` / `escape-absolute` whose links leave the repository.
 */
export function makeFixtureRepo(root: string): FixtureRepo {
  const work = join(root, 'work');
  const main = makeRepo(work, [
    {
      'README.md': '# config\n',
      'policies/allow-web.yaml': 'kind: CiliumNetworkPolicy\nmetadata:\n  name: allow-web\n',
      'nodes/node-a.yaml': 'kind: Node\nmetadata:\n  name: node-a\n',
    },
    {
      'policies/allow-web.yaml': 'kind: CiliumNetworkPolicy\nmetadata:\n  name: allow-web\n# v2\n',
      'services/web.yaml': 'kind: Service\nmetadata:\n  name: web\n',
      'policies/current.yaml': { symlink: 'allow-web.yaml' },
      'shared/nodes': { symlink: '../nodes' },
    },
    { 'nodes/node-b.yaml': 'kind: Node\nmetadata:\n  name: node-b\n' },
    { 'README.md': null },
  ]);
  tagRepo(work, 'v1', { rev: main[0] });
  tagRepo(work, 'v2', { rev: main[1], message: 'release v2' });

  git(work, 'checkout', '-q', '-b', 'feature', main[1]!);
  const feature = commitFiles(work, { 'policies/feature.yaml': 'kind: CiliumNetworkPolicy\n' }, 'feature');
  git(work, 'checkout', '-q', '-b', 'escape', main[1]!);
  const escape = commitFiles(work, { 'policies/leak.yaml': { symlink: '../../outside.yaml' } }, 'escape');
  git(work, 'checkout', '-q', '-b', 'escape-absolute', main[1]!);
  const escapeAbsolute = commitFiles(work, { 'abs.yaml': { symlink: '/etc/hostname' } }, 'escape absolute');
  git(work, 'checkout', '-q', 'main');

  const bare = makeBare(work, join(root, 'config.git'));
  return { work, bare, main, feature, escape, escapeAbsolute };
}
