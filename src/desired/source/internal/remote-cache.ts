import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { redact } from './map-transport-error.js';
import { privateDir } from './private-dir.js';

const locks = new Map<string, Promise<unknown>>();

/** Each incremental fetch adds a pack and every read opens all their indexes; past this many, start over. */
export const MAX_CACHE_PACKS = 64;

/**
 * Returns the bare repository under `cacheDir` that caches `url` (one per URL,
 * credentials left out of the key), creating it atomically on first use. The
 * cache, its `repos` folder and the repository must be private to this user.
 */
export async function openRemoteCache(url: string, cacheDir: string): Promise<string> {
  const key = createHash('sha256').update(redact(url)).digest('hex').slice(0, 24);
  const gitdir = join(cacheDir, 'repos', `${key}.git`);
  await privateDir(cacheDir);
  await privateDir(join(cacheDir, 'repos'));
  if (
    await stat(join(gitdir, 'config')).then(
      () => true,
      () => false,
    )
  ) {
    await privateDir(gitdir);
    return gitdir;
  }
  // Built aside and renamed into place, so a crash never leaves a half-made cache behind.
  const staging = await mkdtemp(join(cacheDir, 'repos', `${key}.tmp-`));
  try {
    await git.init({ fs, gitdir: staging, bare: true });
    await git.setConfig({ fs, gitdir: staging, path: 'remote.origin.url', value: redact(url) });
    await git.setConfig({
      fs,
      gitdir: staging,
      path: 'remote.origin.fetch',
      value: '+refs/heads/*:refs/remotes/origin/*',
    });
    await rename(staging, gitdir);
  } catch (err) {
    const raced = await stat(join(gitdir, 'config')).then(
      () => true,
      () => false,
    );
    if (!raced) throw err;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return gitdir;
}

/** Runs `fn` with the cache at `gitdir` to itself within this process; fetches into one pack store must not overlap. */
export function withCacheLock<T>(gitdir: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(gitdir) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(gitdir, settled);
  void settled.then(() => {
    if (locks.get(gitdir) === settled) locks.delete(gitdir);
  });
  return run;
}

/**
 * Deletes the cache at `gitdir` when it holds more than `maxPacks` packs
 * (isomorphic-git cannot repack), so the next fetch makes a fresh depth-1 copy.
 * Returns whether it did.
 */
export async function dropFragmentedCache(gitdir: string, maxPacks = MAX_CACHE_PACKS): Promise<boolean> {
  const names = await readdir(join(gitdir, 'objects', 'pack')).catch(() => [] as string[]);
  if (names.filter((n) => n.endsWith('.pack')).length <= maxPacks) return false;
  await rm(gitdir, { recursive: true, force: true });
  return true;
}
