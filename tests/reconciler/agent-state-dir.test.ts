import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStatusStore, initialStatus } from '../../src/reconciler/agent/index.js';
import { copyExampleRepo, gitwire } from '../support/cli.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

// What the agent leaves on disk is for root only, and what it cannot run is
// refused at start instead of retried forever.

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = makeTempDir(prefix);
  dirs.push(dir);
  return dir;
};
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('the agent state directory', () => {
  it('is created 0700 and holds a status file only its owner reads', async () => {
    const store = new FileStatusStore(join(tempDir('gitwire-state-'), 'node-1'));
    await store.prepare();
    await store.write(initialStatus('node-1', 'repo', 'HEAD', new Date()));
    await store.write(initialStatus('node-1', 'repo', 'HEAD', new Date()));
    expect(mode(store.dir)).toBe('700');
    expect(mode(store.path)).toBe('600');
  });

  it('refuses at start a directory other users can read', async () => {
    const dir = join(tempDir('gitwire-state-'), 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    await expect(new FileStatusStore(dir).prepare()).rejects.toMatchObject({
      code: 'E_STATE_DIR_OPEN',
      message: expect.stringContaining(`chmod 700 ${dir}`) as unknown,
    });
  });
});

describe('gitwire agent at start', () => {
  it('refuses --rev on a plain directory, which has no revisions', async () => {
    const repo = tempDir('gitwire-plain-');
    copyExampleRepo(repo);
    const stateDir = join(tempDir('gitwire-state-'), 'n');
    const r = await gitwire(['agent', '--repo', repo, '--node', 'node-1', '--rev', 'main', '--state-dir', stateDir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--rev main: ${repo} is a plain directory, read as it is on disk`);
  });

  it('says in --help what --metrics-addr exposes', async () => {
    const r = await gitwire(['agent', '--help']);
    expect(r.status).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('Unauthenticated: 127.0.0.1:9963 serves this machine only');
    expect(help).toContain('0.0.0.0:9963 (the DaemonSet, for Prometheus) serves every network that reaches the node');
  });
});
