import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepository, resolveRevision } from '../../../src/desired/source/index.js';
import { makeTempDir, removeDir } from '../../support/git-fixtures.js';

let root: string;
let dir: string;

function write(path: string, content: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), content);
}

beforeAll(() => {
  root = makeTempDir('gitwire-dir-');
  dir = join(root, 'config');
  write('policies/b.yaml', 'b: 1\n');
  write('policies/a.yaml', 'a: 1\n');
  write('Z.yaml', 'z: 1\n');
  write('vendor/.git/config', 'not read\n');
  write('cdk8s/node_modules/pkg/index.yaml', 'not read\n');
  symlinkSync('../policies/a.yaml', join(dir, 'cdk8s', 'linked.yaml'));
  symlinkSync('policies', join(dir, 'all-policies'));
});

afterAll(() => {
  if (root) removeDir(root);
});

describe('readRepository on a plain directory', () => {
  it('reads every file as it is on disk, sorted, skipping .git and node_modules, with no revision', async () => {
    const tree = await readRepository(dir);
    expect(tree.revision).toBeNull();
    expect(tree.ref).toBe(dir);
    expect(tree.files.map((f) => f.path)).toEqual([
      'Z.yaml',
      'all-policies/a.yaml',
      'all-policies/b.yaml',
      'cdk8s/linked.yaml',
      'policies/a.yaml',
      'policies/b.yaml',
    ]);
    expect(new TextDecoder().decode(tree.files.find((f) => f.path === 'cdk8s/linked.yaml')?.content)).toBe('a: 1\n');
  });

  it('refuses a link that leaves the directory, relative or absolute', async () => {
    for (const [name, target] of [
      ['up.yaml', '../outside.yaml'],
      ['abs.yaml', join(dir, 'Z.yaml')],
    ] as const) {
      symlinkSync(target, join(dir, name));
      try {
        await expect(readRepository(dir)).rejects.toMatchObject({
          code: 'E_SOURCE_SYMLINK_ESCAPE',
          data: { path: name, target },
        });
      } finally {
        removeDir(join(dir, name));
      }
    }
  });

  it('refuses a file over the size limit, naming it', async () => {
    write('policies/big.yaml', 'x'.repeat(101));
    try {
      await expect(readRepository(dir, { maxFileBytes: 100 })).rejects.toMatchObject({
        code: 'E_SOURCE_FILE_TOO_LARGE',
        data: { path: 'policies/big.yaml', size: 101, limit: 100 },
      });
    } finally {
      removeDir(join(dir, 'policies/big.yaml'));
    }
  });

  it('refuses a revision, since a plain directory has none', async () => {
    await expect(readRepository(dir, { rev: 'main' })).rejects.toMatchObject({
      code: 'E_SOURCE_NOT_A_REPOSITORY',
      data: { reason: 'no-history' },
    });
    await expect(resolveRevision(dir, 'main')).rejects.toMatchObject({ code: 'E_SOURCE_NOT_A_REPOSITORY' });
  });

  it('reports a path that does not exist as E_SOURCE_NOT_A_REPOSITORY', async () => {
    await expect(readRepository(join(root, 'missing'))).rejects.toMatchObject({
      code: 'E_SOURCE_NOT_A_REPOSITORY',
      data: { reason: 'missing' },
    });
  });
});
