import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepository } from '../../../src/desired/source/index.js';
import { commitFiles, git, makeBare, makeRepo, makeTempDir, removeDir } from '../../support/git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../../support/git-http-server.js';

const MiB = 1024 * 1024;
// Zeros deflate about a thousandfold: 192 MiB of them is a repository of a few hundred KiB.
const ZEROS = 192 * MiB;

let root: string;
let server: GitHttpServer;
let work: string;
let bare: string;

/** A repository whose one commit holds `path`, ZEROS bytes of zeros, next to a small declaration. */
function zeroRepo(name: string, path: string): string {
  const work = join(root, name);
  makeRepo(work, [{ 'policies/a.yaml': 'kind: CiliumNetworkPolicy\n' }]);
  // Written straight to disk: a string of this size through the fixture helper would itself cost the memory.
  writeFileSync(join(work, 'placeholder'), '');
  const fd = Buffer.alloc(MiB);
  mkdirSync(dirname(join(work, path)), { recursive: true });
  for (let i = 0; i < ZEROS / MiB; i++) writeFileSync(join(work, path), fd, { flag: i === 0 ? 'w' : 'a' });
  commitFiles(work, { placeholder: null });
  return work;
}

/** What `fn` threw and the growth of peak resident memory while it ran, in bytes (ru_maxrss only rises). */
async function refusal(fn: () => Promise<unknown>): Promise<{ error: unknown; growth: number }> {
  const before = process.resourceUsage().maxRSS * 1024;
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, growth: process.resourceUsage().maxRSS * 1024 - before };
}

beforeAll(async () => {
  root = makeTempDir('gitwire-objects-');
  work = zeroRepo('work', 'policies/zeros.yaml');
  bare = makeBare(work, join(root, 'repo.git'));
  server = await startGitHttpServer({ root });
  // git deflates the zeros twice (commit, then the bare clone's pack): slow on a loaded machine.
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (root) removeDir(root);
});

// Without the header checks each read inflates the whole 192 MiB (loose, packed, or while indexing the fetched pack).
describe('object sizes are checked from headers, before inflating', () => {
  it('a huge declaration file, loose in a local repository, is refused without inflating it', async () => {
    const { error, growth } = await refusal(() => readRepository(work));
    expect(error).toMatchObject({
      code: 'E_SOURCE_FILE_TOO_LARGE',
      data: { path: 'policies/zeros.yaml', size: ZEROS, limit: MiB },
    });
    expect(growth).toBeLessThan(64 * MiB);
  });

  it('the same file packed (a bare clone) is refused the same way', async () => {
    expect(git(bare, 'count-objects', '-v')).toContain('count: 0');
    const { error, growth } = await refusal(() => readRepository(bare));
    expect(error).toMatchObject({
      code: 'E_SOURCE_FILE_TOO_LARGE',
      data: { path: 'policies/zeros.yaml', size: ZEROS },
    });
    expect(growth).toBeLessThan(64 * MiB);
  });

  it('over HTTP, a pack holding an object over maxObjectBytes (64 MiB, any file) is refused before isomorphic-git indexes it', async () => {
    const url = server.url('repo.git');
    const { error, growth } = await refusal(() => readRepository(url, { cacheDir: join(root, 'cache-1') }));
    expect(error).toMatchObject({ code: 'E_SOURCE_FILE_TOO_LARGE', data: { size: ZEROS, limit: 64 * MiB } });
    expect(growth).toBeLessThan(64 * MiB);
    // Under a limit that lets it through, the fetch succeeds and the read refuses the file from its header.
    const fetched = await refusal(() =>
      readRepository(url, { cacheDir: join(root, 'cache-2'), maxObjectBytes: ZEROS }),
    );
    expect(fetched.error).toMatchObject({ code: 'E_SOURCE_FILE_TOO_LARGE', data: { path: 'policies/zeros.yaml' } });
  });
});
