import type git from 'isomorphic-git';

/**
 * isomorphic-git, loaded on first use: a local repository whose objects are
 * loose, read at a full commit SHA, never needs it (its load is ~25 ms of CPU
 * on every `plan` otherwise); packs, refs and remotes do.
 */
export async function isomorphicGit(): Promise<typeof git> {
  return (await import('./isomorphic-git-default.js')).default;
}
