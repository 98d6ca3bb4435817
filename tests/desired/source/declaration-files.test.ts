import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepository, type RepoTree } from '../../../src/desired/source/index.js';
import { makeBare, makeRepo, makeTempDir, removeDir } from '../../support/git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../../support/git-http-server.js';

const MiB = 1024 * 1024;
const paths = (tree: RepoTree) => tree.files.map((f) => f.path);

let root: string;
let server: GitHttpServer;

// Every non-declaration file and every ignored one is over the 1 MiB limit: reading any of them fails the read.
const tree = {
  'policies/web.yaml': 'kind: CiliumNetworkPolicy\n',
  'policies/extra.YML': 'kind: CiliumNetworkPolicy\n',
  // A real policy: git deflates it with dynamic Huffman tables that take more than 64 compressed bytes.
  'policies/long.yaml': readFileSync(new URL('../../../examples/repo/policies/shop/api.yaml', import.meta.url), 'utf8'),
  'services/web.json': '{}\n',
  'docs/diagram.png': randomBytes(2 * MiB),
  'docs/guide.md': 'x'.repeat(2 * MiB),
  'bin/tool': randomBytes(2 * MiB),
  '.github/workflows/huge.yml': 'x'.repeat(2 * MiB),
  '.sourceignore': '# Flux syntax\ndrafts/\n*.generated.yaml\n!keep.generated.yaml\n/top-only.yaml\n',
  'drafts/huge.yaml': 'x'.repeat(2 * MiB),
  'policies/big.generated.yaml': 'x'.repeat(2 * MiB),
  'policies/keep.generated.yaml': 'kind: CiliumNetworkPolicy\n',
  'top-only.yaml': 'x'.repeat(2 * MiB),
  'nested/top-only.yaml': 'kind: Node\n',
  'team/.sourceignore': 'local.yaml\n',
  'team/local.yaml': 'x'.repeat(2 * MiB),
  'team/shared.yaml': 'kind: Node\n',
  'team/sub/local.yaml': 'x'.repeat(2 * MiB),
  'local.yaml': 'kind: Node\n',
};
const expected = [
  'local.yaml',
  'nested/top-only.yaml',
  'policies/extra.YML',
  'policies/keep.generated.yaml',
  'policies/long.yaml',
  'policies/web.yaml',
  'services/web.json',
  'team/shared.yaml',
];

beforeAll(async () => {
  root = makeTempDir('gitwire-decl-');
  makeRepo(join(root, 'work'), [tree]);
  makeBare(join(root, 'work'), join(root, 'repo.git'));
  server = await startGitHttpServer({ root });
});

afterAll(async () => {
  await server?.close();
  if (root) removeDir(root);
});

describe('the source reads declaration files only', () => {
  it('over HTTP: assets over the size limit and files a .sourceignore names are never read', async () => {
    const read = await readRepository(server.url('repo.git'), { cacheDir: join(root, 'cache') });
    expect(paths(read)).toEqual(expected);
  });

  it('in a local repository and a plain directory alike, nested .sourceignore files included', async () => {
    expect(paths(await readRepository(join(root, 'repo.git')))).toEqual(expected);
    expect(paths(await readRepository(join(root, 'work')))).toEqual(expected);
  });

  it('still refuses a declaration file over the limit', async () => {
    const dir = join(root, 'too-big');
    makeRepo(dir, [{ 'policies/huge.yaml': 'x'.repeat(2 * MiB) }]);
    await expect(readRepository(dir)).rejects.toMatchObject({
      code: 'E_SOURCE_FILE_TOO_LARGE',
      data: { path: 'policies/huge.yaml' },
    });
  });
});
