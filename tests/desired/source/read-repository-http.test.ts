import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepository, resolveRevision, type RepoTree } from '../../../src/desired/source/index.js';
import { dropFragmentedCache } from '../../../src/desired/source/internal/remote-cache.js';
import {
  commitFiles,
  git,
  makeFixtureRepo,
  makeRepo,
  makeBare,
  makeTempDir,
  pushAll,
  removeDir,
  type FixtureRepo,
} from '../../support/git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../../support/git-http-server.js';

const text = (tree: RepoTree, path: string) =>
  new TextDecoder().decode(tree.files.find((f) => f.path === path)?.content);
const paths = (tree: RepoTree) => tree.files.map((f) => f.path);

let root: string;
let fx: FixtureRepo;
let server: GitHttpServer;
let cacheCount = 0;
const freshCache = () => join(root, `cache-${cacheCount++}`);

beforeAll(async () => {
  root = makeTempDir('gitwire-http-');
  fx = makeFixtureRepo(root);
  server = await startGitHttpServer({ root });
});

afterAll(async () => {
  await server?.close();
  if (root) removeDir(root);
});

describe('readRepository over HTTP', () => {
  it('clones the default branch and reads its tree, following links that stay inside', async () => {
    const tree = await readRepository(server.url('config.git'), { cacheDir: freshCache() });
    expect(tree.revision).toBe(fx.main[3]);
    expect(tree.ref).toBe('HEAD');
    expect(paths(tree)).toEqual([
      'nodes/node-a.yaml',
      'nodes/node-b.yaml',
      'policies/allow-web.yaml',
      'policies/current.yaml',
      'services/web.yaml',
      'shared/nodes/node-a.yaml',
      'shared/nodes/node-b.yaml',
    ]);
    expect(text(tree, 'policies/current.yaml')).toBe(text(tree, 'policies/allow-web.yaml'));
    expect(text(tree, 'shared/nodes/node-b.yaml')).toContain('name: node-b');
    expect(tree.notes).toEqual([]);
  });

  it('refuses ancestry (~N, ^N) over HTTP, naming why, instead of guessing from a shallow fetch', async () => {
    const url = server.url('config.git');
    await expect(readRepository(url, { rev: 'main~1', cacheDir: freshCache() })).rejects.toMatchObject({
      code: 'E_SOURCE_REF_NOT_FOUND',
      data: { reason: 'needs-history' },
    });
  });

  it('reads a branch, a lightweight tag, an annotated tag and SHAs at the commits they name', async () => {
    const cacheDir = freshCache();
    const url = server.url('config.git');
    const feature = await readRepository(url, { cacheDir, rev: 'feature' });
    expect(feature.revision).toBe(fx.feature);
    expect(paths(feature)).toContain('policies/feature.yaml');
    const v1 = await readRepository(url, { cacheDir, rev: 'v1' });
    expect(v1.revision).toBe(fx.main[0]);
    expect(paths(v1)).toEqual(['nodes/node-a.yaml', 'policies/allow-web.yaml']);
    const v2 = await readRepository(url, { cacheDir, rev: 'refs/tags/v2' });
    expect(v2.revision).toBe(fx.main[1]);
    expect(text(v2, 'policies/allow-web.yaml')).toContain('# v2');
    const tip = await readRepository(url, { cacheDir, rev: fx.main[3]!.slice(0, 7) });
    expect(tip.revision).toBe(fx.main[3]);
    // Smart HTTP lets a client fetch any commit reachable from a ref, not only tips.
    const older = await readRepository(url, { cacheDir, rev: fx.main[2] });
    expect(older.revision).toBe(fx.main[2]);
    expect(paths(older)).not.toContain('README.md');
    expect(paths(older)).toContain('nodes/node-b.yaml');
  });

  it('fetches only what is new on a later read, and nothing when the branch has not moved', async () => {
    const dir = join(root, 'incremental');
    const big: Record<string, string> = {};
    // Incompressible content, so the size of a pack says how many files it carries.
    for (let i = 0; i < 150; i++)
      big[`policies/p-${i}.yaml`] = `name: p-${i}\nkey: ${randomBytes(400).toString('hex')}\n`;
    makeRepo(join(dir, 'work'), [big]);
    makeBare(join(dir, 'work'), join(dir, 'repo.git'));
    const url = server.url('incremental/repo.git');
    const cacheDir = freshCache();
    const packs = () => server.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/incremental/'));

    const first = await readRepository(url, { cacheDir });
    expect(first.files).toHaveLength(150);
    const second = commitFiles(join(dir, 'work'), { 'policies/p-3.yaml': 'name: p-3\nchanged: true\n' });
    pushAll(join(dir, 'work'), join(dir, 'repo.git'));
    const updated = await readRepository(url, { cacheDir });
    expect(updated.revision).toBe(second);
    expect(text(updated, 'policies/p-3.yaml')).toBe('name: p-3\nchanged: true\n');
    expect(updated.files).toHaveLength(150);
    const [initialPack, updatePack] = packs();
    // The update carries one blob and the trees above it, not the 150 files again.
    expect(updatePack!.bytes * 5).toBeLessThan(initialPack!.bytes);

    await readRepository(url, { cacheDir });
    expect(packs()).toHaveLength(2);
  });

  it('starts a cache over once incremental fetches have left more packs than allowed', async () => {
    const dir = join(root, 'fragmented');
    makeRepo(join(dir, 'work'), [{ 'a.yaml': 'a: 0\n' }]);
    makeBare(join(dir, 'work'), join(dir, 'repo.git'));
    const url = server.url('fragmented/repo.git');
    const cacheDir = freshCache();
    const advance = async (i: number) => {
      const sha = commitFiles(join(dir, 'work'), { 'a.yaml': `a: ${i}\n` });
      pushAll(join(dir, 'work'), join(dir, 'repo.git'));
      expect((await readRepository(url, { cacheDir })).revision).toBe(sha);
      return sha;
    };
    await readRepository(url, { cacheDir });
    const gitdir = join(cacheDir, 'repos', readdirSync(join(cacheDir, 'repos'))[0]!);
    const packCount = () => readdirSync(join(gitdir, 'objects/pack')).filter((n) => n.endsWith('.pack')).length;
    await advance(1);
    expect(packCount()).toBe(2);
    expect(await dropFragmentedCache(gitdir, 2)).toBe(false);
    const last = await advance(2);
    expect(await dropFragmentedCache(gitdir, 2)).toBe(true);
    const again = await readRepository(url, { cacheDir });
    expect(again.revision).toBe(last);
    expect(text(again, 'a.yaml')).toBe('a: 2\n');
    expect(packCount()).toBe(1);
  });

  it('serves overlapping reads of one cache', async () => {
    const cacheDir = freshCache();
    const url = server.url('config.git');
    const [head, feature, v1] = await Promise.all([
      readRepository(url, { cacheDir }),
      readRepository(url, { cacheDir, rev: 'feature' }),
      readRepository(url, { cacheDir, rev: 'v1' }),
    ]);
    expect([head.revision, feature.revision, v1.revision]).toEqual([fx.main[3], fx.feature, fx.main[0]]);
    expect(paths(feature)).toContain('policies/feature.yaml');
  });

  it('reports an unknown branch as E_SOURCE_REF_NOT_FOUND', async () => {
    await expect(
      readRepository(server.url('config.git'), { cacheDir: freshCache(), rev: 'no-such-branch' }),
    ).rejects.toMatchObject({
      code: 'E_SOURCE_REF_NOT_FOUND',
      data: { ref: 'no-such-branch', reason: 'unknown' },
    });
  });

  it('refuses a SHA no ref reaches unless the server allows any SHA', async () => {
    const dir = join(root, 'orphan');
    makeRepo(join(dir, 'work'), [{ 'a.yaml': 'a: 1\n' }]);
    git(join(dir, 'work'), 'checkout', '-q', '-b', 'gone');
    const orphan = commitFiles(join(dir, 'work'), { 'b.yaml': 'b: 2\n' });
    git(join(dir, 'work'), 'checkout', '-q', 'main');
    makeBare(join(dir, 'work'), join(dir, 'repo.git'));
    git(join(dir, 'repo.git'), 'branch', '-D', 'gone');

    await expect(
      readRepository(server.url('orphan/repo.git'), { cacheDir: freshCache(), rev: orphan }),
    ).rejects.toMatchObject({
      code: 'E_SOURCE_REF_NOT_FOUND',
      data: { ref: orphan, reason: 'not-advertised' },
    });
    const permissive = await startGitHttpServer({ root, allowAnySha: true });
    try {
      const tree = await readRepository(permissive.url('orphan/repo.git'), { cacheDir: freshCache(), rev: orphan });
      expect(tree.revision).toBe(orphan);
      expect(paths(tree)).toEqual(['a.yaml', 'b.yaml']);
    } finally {
      await permissive.close();
    }
  });

  it('reports a missing repository on a git server as E_SOURCE_NOT_A_REPOSITORY', async () => {
    await expect(readRepository(server.url('missing.git'), { cacheDir: freshCache() })).rejects.toMatchObject({
      code: 'E_SOURCE_NOT_A_REPOSITORY',
      data: { reason: 'http-status', statusCode: 404 },
    });
  });

  it('reports a web server that does not speak git as E_SOURCE_NOT_A_REPOSITORY', async () => {
    const web = createServer((_req, res) => res.end('<html>hello</html>'));
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = web.address() as AddressInfo;
      await expect(
        readRepository(`http://127.0.0.1:${port}/config.git`, { cacheDir: freshCache() }),
      ).rejects.toMatchObject({
        code: 'E_SOURCE_NOT_A_REPOSITORY',
        data: { reason: 'not-smart-http' },
      });
    } finally {
      await new Promise<void>((resolve) => web.close(() => resolve()));
    }
  });

  it('reports a closed port as E_SOURCE_UNREACHABLE', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(
      readRepository(`http://127.0.0.1:${port}/config.git`, { cacheDir: freshCache() }),
    ).rejects.toMatchObject({
      code: 'E_SOURCE_UNREACHABLE',
      data: { reason: 'ECONNREFUSED' },
    });
  });

  it('refuses a link that leaves the repository, naming it', async () => {
    await expect(
      readRepository(server.url('config.git'), { cacheDir: freshCache(), rev: 'escape' }),
    ).rejects.toMatchObject({
      code: 'E_SOURCE_SYMLINK_ESCAPE',
      data: { path: 'policies/leak.yaml', target: '../../outside.yaml' },
    });
  });
});

describe('readRepository over HTTP with authentication', () => {
  let guarded: GitHttpServer;
  beforeAll(async () => {
    guarded = await startGitHttpServer({ root, token: 's3cret', basic: { username: 'ops', password: 'pa55' } });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it('fails with E_SOURCE_AUTH without credentials', async () => {
    await expect(readRepository(guarded.url('config.git'), { cacheDir: freshCache() })).rejects.toMatchObject({
      code: 'E_SOURCE_AUTH',
      data: { statusCode: 401, credentials: 'none' },
    });
  });

  it('fails with E_SOURCE_AUTH for a wrong token or password', async () => {
    await expect(
      readRepository(guarded.url('config.git'), { cacheDir: freshCache(), auth: { token: 'wrong' } }),
    ).rejects.toMatchObject({ code: 'E_SOURCE_AUTH', data: { credentials: 'token' } });
    await expect(
      readRepository(guarded.url('config.git'), { cacheDir: freshCache(), auth: { username: 'ops', password: 'no' } }),
    ).rejects.toMatchObject({ code: 'E_SOURCE_AUTH', data: { credentials: 'basic' } });
  });

  it('reads the tree with the right bearer token or basic credentials', async () => {
    const withToken = await readRepository(guarded.url('config.git'), {
      cacheDir: freshCache(),
      auth: { token: 's3cret' },
    });
    expect(withToken.revision).toBe(fx.main[3]);
    const withBasic = await readRepository(guarded.url('config.git'), {
      cacheDir: freshCache(),
      auth: { username: 'ops', password: 'pa55' },
    });
    expect(withBasic.revision).toBe(fx.main[3]);
  });
});

describe('resolveRevision over HTTP', () => {
  it('resolves advertised refs from one request, without fetching', async () => {
    const before = server.requests.length;
    const cacheDir = freshCache();
    expect(await resolveRevision(server.url('config.git'), 'v2', { cacheDir })).toBe(fx.main[1]);
    expect(await resolveRevision(server.url('config.git'), 'HEAD', { cacheDir })).toBe(fx.main[3]);
    expect(await resolveRevision(server.url('config.git'), fx.feature.slice(0, 8), { cacheDir })).toBe(fx.feature);
    expect(server.requests.slice(before).map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('fetches a full SHA that is not a tip to prove it exists', async () => {
    expect(await resolveRevision(server.url('config.git'), fx.main[2]!, { cacheDir: freshCache() })).toBe(fx.main[2]);
    await expect(
      resolveRevision(server.url('config.git'), 'f'.repeat(40), { cacheDir: freshCache() }),
    ).rejects.toMatchObject({
      code: 'E_SOURCE_REF_NOT_FOUND',
      data: { reason: 'not-advertised' },
    });
  });
});
