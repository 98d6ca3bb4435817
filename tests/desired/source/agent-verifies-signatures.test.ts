import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent, condition, FileStatusStore } from '../../../src/reconciler/agent/index.js';
import type { ReconcileOptions, ReconcileResult } from '../../../src/reconciler/reconcile-node.js';
import { exampleFiles } from '../../support/cli.js';
import { makeBare, makeRepo, makeTempDir, pushAll, removeDir } from '../../support/git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../../support/git-http-server.js';
import { commitSigned, makeSshKey } from '../../support/signing-keys.js';

let root: string;
let server: GitHttpServer;
let agent: Agent | undefined;

beforeAll(async () => {
  root = makeTempDir('gitwire-agent-verify-');
  server = await startGitHttpServer({ root });
});

afterAll(async () => {
  await agent?.stop();
  await server?.close();
  if (root) removeDir(root);
});

// The real source and compiler; only the kernel side is recorded instead of written.
it('the agent compiles only signed commits: an unsigned one is Stalled with the reason, the last good one stays enforced', async () => {
  const trusted = makeSshKey(root, 'trusted');
  const trustedKeys = join(root, 'trusted.pub');
  writeFileSync(trustedKeys, `${trusted.publicKey}\n`);
  const work = join(root, 'work');
  makeRepo(work, []);
  const files = exampleFiles();
  const good = commitSigned(work, files, { ssh: trusted.key });
  const bare = makeBare(work, join(root, 'repo.git'));

  const applied: (string | null)[] = [];
  const reconcile = async (opts: ReconcileOptions): Promise<ReconcileResult> => {
    applied.push(opts.compiled!.inputs.commit);
    const none = { changes: [] } as unknown as ReconcileResult['changes'];
    return { inputs: opts.compiled!.inputs, changes: none, writes: 0, remaining: none, warnings: [] };
  };
  const store = new FileStatusStore(join(root, 'state'));
  agent = new Agent({
    repo: server.url('repo.git'),
    node: 'node-1',
    source: { cacheDir: join(root, 'cache'), verify: { mode: 'ssh', trustedKeys } },
    intervalMs: 3_600_000,
    stores: [store],
    deps: { reconcile, openLiveNode: () => null },
  });

  await agent.reconcileNow();
  expect(applied).toEqual([good]);
  expect(condition(agent.status, 'Ready')?.status).toBe('True');

  const firstPolicy = Object.keys(files).find((p) => p.startsWith('policies/'))!;
  const unsigned = commitSigned(work, { [firstPolicy]: `${files[firstPolicy]}\n# unsigned change\n` }, null);
  pushAll(work, bare);
  await agent.reconcileNow();
  await agent.reconcileNow();

  const stalled = condition(agent.status, 'Stalled');
  expect(stalled?.status).toBe('True');
  expect(stalled?.message).toContain('not signed');
  expect(agent.status.lastError).toMatchObject({ code: 'E_SOURCE_SIGNATURE', kind: 'stalled' });
  expect(agent.status.lastAttemptedRevision).toBe(unsigned);
  expect(agent.status.lastAppliedRevision).toBe(good);
  // Nothing of the unsigned commit reached the node; the next pass repaired towards the signed one.
  expect(applied).toEqual([good, good]);
  expect(JSON.stringify(await store.read('node-1'))).toContain('E_SOURCE_SIGNATURE');
}, 60_000);
