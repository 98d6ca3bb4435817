import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepository, resolveRevision, type RepoTree } from '../../../src/desired/source/index.js';
import {
  commitFiles,
  git,
  makeFixtureRepo,
  makeRepo,
  makeTempDir,
  removeDir,
  type FixtureRepo,
} from '../../support/git-fixtures.js';

const text = (tree: RepoTree, path: string) =>
  new TextDecoder().decode(tree.files.find((f) => f.path === path)?.content);
const paths = (tree: RepoTree) => tree.files.map((f) => f.path);

let root: string;
let fx: FixtureRepo;

beforeAll(() => {
  root = makeTempDir('gitwire-local-');
  fx = makeFixtureRepo(root);
});

afterAll(() => {
  if (root) removeDir(root);
});

describe('readRepository on a local git repository', () => {
  it('reads the committed tree at HEAD of a work-tree repository, not the files on disk', async () => {
    writeFileSync(join(fx.work, 'nodes/node-a.yaml'), 'uncommitted\n');
    writeFileSync(join(fx.work, 'untracked.yaml'), 'untracked\n');
    try {
      const tree = await readRepository(fx.work);
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
      expect(text(tree, 'nodes/node-a.yaml')).toContain('name: node-a');
      expect(text(tree, 'policies/current.yaml')).toBe(text(tree, 'policies/allow-web.yaml'));
    } finally {
      git(fx.work, 'checkout', '-q', '--', 'nodes/node-a.yaml');
      removeDir(join(fx.work, 'untracked.yaml'));
    }
  });

  it('reads a bare repository at a branch, tags, refs and SHAs', async () => {
    const at = async (rev: string) => (await readRepository(fx.bare, { rev })).revision;
    expect(await at('feature')).toBe(fx.feature);
    expect(await at('refs/heads/feature')).toBe(fx.feature);
    expect(await at('v1')).toBe(fx.main[0]);
    expect(await at('v2')).toBe(fx.main[1]);
    expect(await at('HEAD')).toBe(fx.main[3]);
    expect(await at(fx.main[2]!)).toBe(fx.main[2]);
    expect(await at(fx.main[2]!.slice(0, 7))).toBe(fx.main[2]);
    const v1 = await readRepository(fx.bare, { rev: 'v1' });
    expect(v1.ref).toBe('v1');
    expect(paths(v1)).toEqual(['nodes/node-a.yaml', 'policies/allow-web.yaml']);
  });

  it('reads a repository given as a file:// URL', async () => {
    expect((await readRepository(pathToFileURL(fx.bare).href, { rev: 'feature' })).revision).toBe(fx.feature);
  });

  it('reports unknown and malformed revisions as E_SOURCE_REF_NOT_FOUND', async () => {
    for (const rev of ['nope', 'deadbeef', '../config', 'main..feature', '']) {
      await expect(readRepository(fx.bare, { rev }), rev).rejects.toMatchObject({
        code: 'E_SOURCE_REF_NOT_FOUND',
        data: { ref: rev },
      });
    }
  });

  it('reports a tag of a tree as not naming a commit', async () => {
    const dir = join(root, 'tree-tag');
    makeRepo(dir, [{ 'a.yaml': 'a\n' }]);
    git(dir, 'tag', 'just-a-tree', 'HEAD^{tree}');
    await expect(readRepository(dir, { rev: 'just-a-tree' })).rejects.toMatchObject({
      code: 'E_SOURCE_REF_NOT_FOUND',
      data: { reason: 'not-a-commit' },
    });
  });

  it('reports a repository without commits as empty', async () => {
    const dir = join(root, 'empty');
    git(root, 'init', '-q', dir);
    await expect(readRepository(dir)).rejects.toMatchObject({
      code: 'E_SOURCE_REF_NOT_FOUND',
      data: { ref: 'HEAD', reason: 'empty-repository' },
    });
  });

  it('refuses a relative link that climbs out of the repository, naming it', async () => {
    await expect(readRepository(fx.bare, { rev: 'escape' })).rejects.toMatchObject({
      code: 'E_SOURCE_SYMLINK_ESCAPE',
      data: { path: 'policies/leak.yaml', target: '../../outside.yaml' },
    });
  });

  it('refuses an absolute link, naming it', async () => {
    await expect(readRepository(fx.work, { rev: 'escape-absolute' })).rejects.toMatchObject({
      code: 'E_SOURCE_SYMLINK_ESCAPE',
      data: { path: 'abs.yaml', target: '/etc/hostname' },
    });
  });

  it('refuses a file over the size limit, naming it', async () => {
    await expect(readRepository(fx.bare, { maxFileBytes: 54 })).rejects.toMatchObject({
      code: 'E_SOURCE_FILE_TOO_LARGE',
      data: { path: 'policies/allow-web.yaml', size: 59, limit: 54 },
    });
    expect((await readRepository(fx.bare, { maxFileBytes: 59 })).files).toHaveLength(7);
  });

  it('refuses a loose object whose content is another object, or not deflate data', async () => {
    const dir = join(root, 'forged-loose');
    makeRepo(dir, [{ 'policies/a.yaml': 'kind: CiliumNetworkPolicy\n# a\n', 'policies/b.yaml': 'kind: Node\n' }]);
    const [a, b] = [git(dir, 'rev-parse', 'HEAD:policies/a.yaml'), git(dir, 'rev-parse', 'HEAD:policies/b.yaml')];
    const file = (oid: string) => join(dir, '.git', 'objects', oid.slice(0, 2), oid.slice(2));
    rmSync(file(a));
    copyFileSync(file(b), file(a));
    await expect(readRepository(dir)).rejects.toMatchObject({
      code: 'E_SOURCE_CORRUPT_OBJECT',
      data: { oid: a, detail: `its content hashes to ${b}` },
    });
    rmSync(file(a));
    writeFileSync(file(a), 'not deflate data');
    await expect(readRepository(dir)).rejects.toMatchObject({ code: 'E_SOURCE_CORRUPT_OBJECT', data: { oid: a } });
  });

  it('reads two commits at once, each file under its own path, a refusal naming each its own', async () => {
    const dir = join(root, 'moved');
    const big = 'kind: Node\n# padding\n'.repeat(8);
    const [first, second] = makeRepo(dir, [{ 'x/big.yaml': big }, { 'x/big.yaml': null, 'y/big.yaml': big }]);
    const read = (rev: string, maxFileBytes?: number) => readRepository(dir, { rev, maxFileBytes });
    const both = await Promise.all([read(first!), read(second!)]);
    expect(both.map(paths)).toEqual([['x/big.yaml'], ['y/big.yaml']]);
    expect(both.map((t) => text(t, t.files[0]!.path))).toEqual([big, big]);
    const refused = await Promise.allSettled([read(first!, 16), read(second!, 16)]);
    expect(refused.map((r) => (r.status === 'rejected' ? (r.reason as { data: unknown }).data : r))).toEqual([
      { path: 'x/big.yaml', size: big.length, limit: 16 },
      { path: 'y/big.yaml', size: big.length, limit: 16 },
    ]);
  });

  it('skips submodules, dangling links and links that loop, with a note for each', async () => {
    const dir = join(root, 'odd');
    makeRepo(dir, [
      {
        'a.yaml': 'a: 1\n',
        'dangling.yaml': { symlink: 'missing.yaml' },
        loop: { symlink: '.' },
        'self.yaml': { symlink: 'self.yaml' },
        'chain.yaml': { symlink: 'via/a.yaml' },
        via: { symlink: '.' },
      },
    ]);
    git(dir, 'update-index', '--add', '--cacheinfo', `160000,${fx.main[0]},vendor/sub`);
    git(dir, 'commit', '-q', '-m', 'submodule');
    const tree = await readRepository(dir);
    expect(paths(tree)).toEqual(['a.yaml', 'chain.yaml']);
    expect(text(tree, 'chain.yaml')).toBe('a: 1\n');
    expect(tree.notes?.map((n) => [n.path, n.code])).toEqual([
      ['dangling.yaml', 'W_SOURCE_SYMLINK_DANGLING'],
      ['loop', 'W_SOURCE_SYMLINK_LOOP'],
      ['self.yaml', 'W_SOURCE_SYMLINK_LOOP'],
      ['vendor/sub', 'W_SOURCE_SUBMODULE'],
      ['via', 'W_SOURCE_SYMLINK_LOOP'],
    ]);
  });
});

describe('resolveRevision on a local git repository', () => {
  it('resolves branches, tags, short SHAs and HEAD to full commit SHAs', async () => {
    expect(await resolveRevision(fx.work, 'main')).toBe(fx.main[3]);
    expect(await resolveRevision(fx.work, 'v2')).toBe(fx.main[1]);
    expect(await resolveRevision(fx.bare, fx.feature.slice(0, 10))).toBe(fx.feature);
    expect(await resolveRevision(fx.bare, 'HEAD')).toBe(fx.main[3]);
  });

  it('takes a full SHA as git does: a commit as it is, a tag object peeled, a tree or a missing object refused', async () => {
    expect(await resolveRevision(fx.work, fx.main[2]!)).toBe(fx.main[2]);
    expect(await resolveRevision(fx.bare, fx.feature)).toBe(fx.feature);
    expect(await resolveRevision(fx.work, git(fx.work, 'rev-parse', 'v2'))).toBe(fx.main[1]);
    await expect(resolveRevision(fx.work, git(fx.work, 'rev-parse', 'main^{tree}'))).rejects.toMatchObject({
      code: 'E_SOURCE_REF_NOT_FOUND',
      data: { reason: 'not-a-commit' },
    });
    await expect(resolveRevision(fx.work, 'f'.repeat(40))).rejects.toMatchObject({
      code: 'E_SOURCE_REF_NOT_FOUND',
      data: { reason: 'unknown' },
    });
  });

  it('sees a commit made after an earlier read', async () => {
    const dir = join(root, 'moving');
    makeRepo(dir, [{ 'a.yaml': 'a: 1\n' }]);
    expect((await readRepository(dir)).files).toHaveLength(1);
    const next = commitFiles(dir, { 'b.yaml': 'b: 2\n' });
    expect(await resolveRevision(dir, 'main')).toBe(next);
    expect(paths(await readRepository(dir))).toEqual(['a.yaml', 'b.yaml']);
  });
});

describe('revision ancestry in a local repository', () => {
  it('resolves ~N, ^ and ^0 as git does, from branches, tags and HEAD', async () => {
    expect(await resolveRevision(fx.bare, 'main~1')).toBe(fx.main[2]);
    expect(await resolveRevision(fx.bare, 'main~3')).toBe(fx.main[0]);
    expect(await resolveRevision(fx.work, 'HEAD^')).toBe(fx.main[2]);
    expect(await resolveRevision(fx.work, 'HEAD^^')).toBe(fx.main[1]);
    expect(await resolveRevision(fx.bare, 'v2~1')).toBe(fx.main[0]);
    expect(await resolveRevision(fx.bare, 'feature^0')).toBe(fx.feature);
    expect((await readRepository(fx.bare, { rev: 'main~2' })).revision).toBe(fx.main[1]);
  });

  it('refuses an ancestor past the root commit, and a second parent that does not exist', async () => {
    await expect(resolveRevision(fx.bare, 'main~4')).rejects.toMatchObject({ code: 'E_SOURCE_REF_NOT_FOUND' });
    await expect(resolveRevision(fx.bare, 'main^2')).rejects.toMatchObject({ code: 'E_SOURCE_REF_NOT_FOUND' });
  });
});
