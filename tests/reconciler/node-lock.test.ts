import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeLock, NodeLockedError, type LockHolder } from '../../src/reconciler/node-lock.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

const MODULE = new URL('../../src/reconciler/node-lock.ts', import.meta.url).pathname;
const dirs: string[] = [];
const lockDir = () => {
  const dir = makeTempDir('gitwire-lock-');
  dirs.push(dir);
  return dir;
};

afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('one writer per node', () => {
  it('makes a second apply wait for the first, naming the holder', async () => {
    const dir = lockDir();
    const first = await NodeLock.acquire('n1', 'apply', { dir });
    const waitedFor: (LockHolder | null)[] = [];
    let secondHeld = false;
    const second = NodeLock.acquire('n1', 'apply', { dir, timeoutMs: 20_000, onWait: (h) => waitedFor.push(h) }).then(
      (lock) => {
        secondHeld = true;
        return lock;
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(secondHeld).toBe(false);
    await first.release();
    await (await second).release();
    expect(waitedFor).toEqual([expect.objectContaining({ pid: process.pid, role: 'apply' })]);
  });

  it('names the holder that has its flock but has not written its record yet', async () => {
    const dir = lockDir();
    const path = join(dir, 'n1.lock');
    // What a holder is between flock granting the lock and its record being written: an empty file.
    const holder = spawn('flock', [path, '/bin/sh', '-c', 'echo locked; exec cat'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    await new Promise((r) => holder.stdout.once('data', r));
    const record: LockHolder = { pid: process.pid, role: 'apply', since: new Date().toISOString() };
    setTimeout(() => writeFileSync(path, JSON.stringify(record) + '\n'), 50);
    const err = await NodeLock.acquire('n1', 'apply', { dir, timeoutMs: 0 }).catch((e: unknown) => e);
    holder.stdin.end();
    expect((err as Error).message).toBe(`node n1 is being reconciled by PID ${process.pid} (apply)`);
  });

  it('refuses an apply at once while an agent owns the node', async () => {
    const dir = lockDir();
    const agent = await NodeLock.acquire('n1', 'agent', { dir });
    let waited = false;
    const apply = NodeLock.acquire('n1', 'apply', { dir, timeoutMs: 60_000, onWait: () => (waited = true) });
    await expect(apply).rejects.toThrow(
      new RegExp(`^node n1 is being reconciled by PID ${process.pid} \\(agent\\), which would revert this apply`),
    );
    expect(waited).toBe(false);
    await agent.release();
  });

  it('gives up after the timeout with code E_NODE_LOCKED', async () => {
    const dir = lockDir();
    const first = await NodeLock.acquire('n1', 'apply', { dir });
    const err = await NodeLock.acquire('n1', 'apply', { dir, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeLockedError);
    expect((err as NodeLockedError).code).toBe('E_NODE_LOCKED');
    expect((err as Error).message).toMatch(/PID \d+ \(apply\); gave up after 0.2s/);
    await first.release();
  });

  it('locks nodes apart', async () => {
    const dir = lockDir();
    const a = await NodeLock.acquire('n1', 'agent', { dir });
    const b = await NodeLock.acquire('n2', 'apply', { dir, timeoutMs: 0 });
    await Promise.all([a.release(), b.release()]);
  });

  it('is free again when its holder is killed with SIGKILL', async () => {
    const dir = lockDir();
    const script = `import { NodeLock } from ${JSON.stringify(MODULE)};
await NodeLock.acquire('n1', 'apply', { dir: ${JSON.stringify(dir)} });
console.log('held');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
    });
    const crashed = new Promise((r) => child.once('close', r));
    child.kill('SIGKILL');
    await crashed;
    const waitedFor: (LockHolder | null)[] = [];
    const lock = await NodeLock.acquire('n1', 'apply', { dir, timeoutMs: 20_000, onWait: (h) => waitedFor.push(h) });
    // A dead holder is never named, even while its helper is still letting go.
    expect(waitedFor.every((h) => h === null)).toBe(true);
    await lock.release();
  });
});
