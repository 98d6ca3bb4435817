import { chmodSync, chownSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, readRepository } from '../../../src/desired/source/index.js';
import { openRemoteCache } from '../../../src/desired/source/internal/remote-cache.js';
import { commitFiles, git, makeBare, makeRepo, makeTempDir, removeDir } from '../../support/git-fixtures.js';
import { plantForgedPack } from '../../support/forge-pack.js';
import { startGitHttpServer, type GitHttpServer } from '../../support/git-http-server.js';

let root: string;
let server: GitHttpServer;
let real: string;
let forged: string;
let forgedWork: string;

beforeAll(async () => {
  root = makeTempDir('gitwire-cache-safety-');
  [real] = makeRepo(join(root, 'work'), [{ 'policies/deny.yaml': 'kind: CiliumNetworkPolicy\n# the real one\n' }]) as [
    string,
  ];
  makeBare(join(root, 'work'), join(root, 'repo.git'));
  forgedWork = join(root, 'forged');
  makeRepo(forgedWork, []);
  forged = commitFiles(forgedWork, { 'policies/deny.yaml': 'kind: CiliumNetworkPolicy\n# forged: allow all\n' });
  server = await startGitHttpServer({ root });
});

afterAll(async () => {
  await server?.close();
  if (root) removeDir(root);
});

describe('the git cache is private and verified', () => {
  it('refuses a pack planted in the cache that files forged content under the real commit id', async () => {
    const cacheDir = join(root, 'planted');
    const url = server.url('repo.git');
    // The attacker gets there first: the cache exists, holding only the forged pack.
    const gitdir = await openRemoteCache(url, cacheDir);
    plantForgedPack(forgedWork, forged, real, join(gitdir, 'objects', 'pack'));
    expect(git(gitdir, 'cat-file', '-p', real)).toContain('tree');
    await expect(readRepository(url, { cacheDir })).rejects.toMatchObject({
      code: 'E_SOURCE_CORRUPT_OBJECT',
      data: { oid: real },
    });
  });

  it('refuses a cache directory that others can write, or that belongs to another user, or is a link', async () => {
    const url = server.url('repo.git');
    const open = join(root, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o1777);
    await expect(readRepository(url, { cacheDir: open })).rejects.toMatchObject({
      code: 'E_SOURCE_CACHE_UNSAFE',
      data: { reason: 'mode' },
    });
    const theirs = join(root, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 65534, 65534);
    await expect(readRepository(url, { cacheDir: theirs })).rejects.toMatchObject({
      code: 'E_SOURCE_CACHE_UNSAFE',
      data: { reason: 'owner', uid: 65534 },
    });
    const link = join(root, 'link');
    symlinkSync(join(root, 'elsewhere'), link);
    mkdirSync(join(root, 'elsewhere'), { mode: 0o700 });
    await expect(readRepository(url, { cacheDir: link })).rejects.toMatchObject({
      code: 'E_SOURCE_CACHE_UNSAFE',
      data: { reason: 'not-a-directory' },
    });
    // The repository folder inside the cache is checked on every use too, not only when created.
    const cacheDir = join(root, 'later');
    await readRepository(url, { cacheDir });
    chmodSync(join(cacheDir, 'repos'), 0o777);
    await expect(readRepository(url, { cacheDir })).rejects.toMatchObject({ code: 'E_SOURCE_CACHE_UNSAFE' });
  });

  it('creates a missing cache 0700 and reads through it', async () => {
    const cacheDir = join(root, 'fresh', 'cache');
    const tree = await readRepository(server.url('repo.git'), { cacheDir });
    expect(tree.revision).toBe(real);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
  });

  it('keeps the default cache out of the temp dir', () => {
    expect(defaultCacheDir()).not.toMatch(/^\/tmp\b|^\/var\/tmp\b/);
    if (process.getuid?.() === 0) expect(defaultCacheDir()).toBe('/var/cache/gitwire');
  });
});
