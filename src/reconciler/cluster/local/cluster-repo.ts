import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'gitwire cluster',
  GIT_AUTHOR_EMAIL: 'cluster@gitwire.invalid',
  GIT_COMMITTER_NAME: 'gitwire cluster',
  GIT_COMMITTER_EMAIL: 'cluster@gitwire.invalid',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * The repository a local cluster serves: a bare repository with the source's
 * history (a git repository is cloned; a plain directory becomes one commit),
 * and a work tree whose commits are pushed into it, as a user's would be.
 */
export function createClusterRepo(source: string, gitRoot: string, workTree: string): string {
  const bare = join(gitRoot, 'config.git');
  mkdirSync(gitRoot, { recursive: true });
  if (existsSync(join(source, '.git')) || existsSync(join(source, 'HEAD'))) {
    git(gitRoot, 'clone', '--quiet', '--bare', source, bare);
    git(gitRoot, 'clone', '--quiet', bare, workTree);
  } else {
    git(gitRoot, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
    cpSync(source, workTree, { recursive: true, filter: (p) => !p.includes('node_modules') });
    git(workTree, 'init', '--quiet', '--initial-branch=main');
    git(workTree, 'add', '-A');
    git(workTree, 'commit', '--quiet', '-m', 'configuration from ' + source);
    git(workTree, 'remote', 'add', 'origin', bare);
    git(workTree, 'push', '--quiet', 'origin', 'main');
  }
  return git(workTree, 'rev-parse', 'HEAD');
}

/** Commits every change in the work tree and pushes it to the served repository; returns the new commit. */
export function commitAndPush(workTree: string, message: string): string {
  git(workTree, 'add', '-A');
  git(workTree, 'commit', '--quiet', '-m', message);
  git(workTree, 'push', '--quiet', 'origin', 'HEAD');
  return git(workTree, 'rev-parse', 'HEAD');
}
