import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeNodeRuntimeFiles } from '../../../src/reconciler/node-lock.js';
import { makeBare, makeRepo, makeTempDir, removeDir } from '../../support/git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../../support/git-http-server.js';
import { startHostileGitServer, type HostileGitServer } from '../../support/hostile-git-server.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

let root: string;
let upstream: GitHttpServer;
let stall: HostileGitServer;
let agent: ChildProcess | undefined;
/** The node the agent ran as: its lock file under /run/gitwire goes with the test. */
let node: string | undefined;

beforeAll(async () => {
  root = makeTempDir('gitwire-agent-stop-');
  makeRepo(join(root, 'work'), [{ 'policies/a.yaml': 'kind: CiliumNetworkPolicy\n' }]);
  makeBare(join(root, 'work'), join(root, 'repo.git'));
  upstream = await startGitHttpServer({ root });
  stall = await startHostileGitServer({ upstream, mode: { kind: 'stall', bytes: 0 }, on: 'refs' });
});

afterAll(async () => {
  // Only the agent this test started, and only if it is still running.
  if (agent && agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
  await stall?.close();
  await upstream?.close();
  if (root) removeDir(root);
  if (node) removeNodeRuntimeFiles(node);
});

it('the agent ends a fetch in flight on SIGTERM instead of waiting for the git timeouts, and says why', async () => {
  const stateDir = join(root, 'state');
  node = `stop-${randomBytes(4).toString('hex')}`;
  // Timeouts far beyond the test's own: only the abort can end this fetch in time.
  const args = ['--repo', stall.url('repo.git'), '--node', node, '--state-dir', stateDir, '--interval', '1h'];
  const limits = ['--git-timeout', '10m', '--git-idle-timeout', '10m'];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'tests/support/run-cli.ts'), 'agent', ...args, ...limits],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  agent = child;
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  while (stall.hits() === 0) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(stderr).toContain('SIGTERM: stopping');
  const status = JSON.parse(readFileSync(join(stateDir, 'status.json'), 'utf8')) as unknown;
  expect(JSON.stringify(status)).toContain('E_SOURCE_TIMEOUT');
}, 30_000);
