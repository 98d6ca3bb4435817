import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepository, resolveRevision } from '../../../src/desired/source/index.js';
import { makeBare, makeRepo, makeTempDir, removeDir } from '../../support/git-fixtures.js';
import { gitwire } from '../../support/cli.js';
import { startGitHttpServer, type GitHttpServer } from '../../support/git-http-server.js';
import { startHostileGitServer, type HostileGitServer } from '../../support/hostile-git-server.js';

let root: string;
let upstream: GitHttpServer;
const hostile: HostileGitServer[] = [];
let caches = 0;
const cacheDir = () => join(root, `cache-${caches++}`);

beforeAll(async () => {
  root = makeTempDir('gitwire-timeouts-');
  makeRepo(join(root, 'work'), [{ 'policies/a.yaml': 'kind: CiliumNetworkPolicy\n' }]);
  makeBare(join(root, 'work'), join(root, 'repo.git'));
  upstream = await startGitHttpServer({ root });
});

afterAll(async () => {
  await Promise.all(hostile.map((h) => h.close()));
  await upstream?.close();
  if (root) removeDir(root);
});

const start = async (...args: Parameters<typeof startHostileGitServer>) => {
  const server = await startHostileGitServer(...args);
  hostile.push(server);
  return server;
};

// Without the limits each of these reads waits as long as the server likes: the test times out and fails.
describe('the git source never waits on a server without bound', () => {
  it('a server that drips a byte every 100 ms is cut off by the total timeout', async () => {
    const drip = await start({ upstream, mode: { kind: 'drip', everyMs: 100 }, on: 'refs' });
    await expect(
      readRepository(drip.url('repo.git'), {
        cacheDir: cacheDir(),
        timeouts: { idleMs: 2_000, totalMs: 1_500 },
      }),
    ).rejects.toMatchObject({ code: 'E_SOURCE_TIMEOUT', data: { limit: 'total', ms: 1_500 } });
  });

  it('a server that stops in the middle of the pack is cut off by the idle timeout', async () => {
    const stall = await start({ upstream, mode: { kind: 'stall', bytes: 20 }, on: 'pack' });
    await expect(
      readRepository(stall.url('repo.git'), { cacheDir: cacheDir(), timeouts: { idleMs: 500 } }),
    ).rejects.toMatchObject({ code: 'E_SOURCE_TIMEOUT', data: { limit: 'idle', ms: 500 } });
  });

  it('an abort ends a fetch in flight at once, whatever the timeouts', async () => {
    const stall = await start({ upstream, mode: { kind: 'stall', bytes: 0 }, on: 'refs' });
    const controller = new AbortController();
    const read = resolveRevision(stall.url('repo.git'), 'main', { cacheDir: cacheDir(), signal: controller.signal });
    while (stall.hits() === 0) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await expect(read).rejects.toMatchObject({ code: 'E_SOURCE_TIMEOUT', data: { limit: 'aborted' } });
  });

  it('a server that sends more than the fetch limit is cut off', async () => {
    await expect(
      readRepository(upstream.url('repo.git'), { cacheDir: cacheDir(), maxFetchBytes: 100 }),
    ).rejects.toMatchObject({ code: 'E_SOURCE_FETCH', message: expect.stringContaining('more than 100 bytes') });
  });

  it('reads normally from the same repository within the limits', async () => {
    const read = await readRepository(upstream.url('repo.git'), {
      cacheDir: cacheDir(),
      timeouts: { connectMs: 1_000, idleMs: 1_000, totalMs: 10_000 },
    });
    expect(read.files.map((f) => f.path)).toEqual(['policies/a.yaml']);
  });

  it('gitwire validate takes the limits from its flags and names the one that fired', async () => {
    const drip = await start({ upstream, mode: { kind: 'drip', everyMs: 100 }, on: 'refs' });
    const r = await gitwire(['validate', '--repo', drip.url('repo.git'), '--git-timeout', '2s'], {
      env: { XDG_CACHE_HOME: join(root, 'xdg') },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('E_SOURCE_TIMEOUT');
    expect(r.stderr).toContain('not done within 2000 ms (--git-timeout)');
  }, 30_000);

  it('signature verification needs both of its flags', async () => {
    const r = await gitwire(['validate', '--repo', upstream.url('repo.git'), '--verify-signatures', 'ssh']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--verify-signatures and --trusted-keys go together');
  }, 30_000);
});
