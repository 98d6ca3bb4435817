import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** On tmpfs: a lock never outlives a reboot. Shared by `ip netns exec` runs, whose /run is the machine's. */
export const DEFAULT_LOCK_DIR = '/run/gitwire';
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
const BUSY = 75;
// 20 × 10 ms for a holder's record to appear.
const HOLDER_TRIES = 20;

/**
 * Removes what a node's writers leave beside its lock (`<node>.lock`, and
 * `<node>.<suffix>` for each suffix given), once the node is gone for good:
 * a lock file outlives its flock on purpose, as unlinking it while held
 * would let two writers lock different files.
 */
export function removeNodeRuntimeFiles(node: string, suffixes: readonly string[] = [], dir = DEFAULT_LOCK_DIR): void {
  for (const suffix of ['lock', ...suffixes]) rmSync(join(dir, `${node}.${suffix}`), { force: true });
}

export type LockRole = 'agent' | 'apply';

/** Who holds a node's lock, as its holder wrote it. */
export interface LockHolder {
  readonly pid: number;
  readonly role: LockRole;
  readonly since: string;
}

/** Another writer holds the node: its apply would fight ours, and the node would match neither commit. */
export class NodeLockedError extends Error {
  readonly code = 'E_NODE_LOCKED';
  constructor(
    readonly node: string,
    readonly holder: LockHolder | null,
    hint: string,
  ) {
    super(
      `node ${node} is being reconciled by ${holder ? `PID ${holder.pid} (${holder.role})` : 'another process'}${hint}`,
    );
    this.name = 'NodeLockedError';
  }
}

/** "node N is being reconciled by PID P (agent|apply)". */
export function busyText(node: string, holder: LockHolder | null): string {
  return `node ${node} is being reconciled by ${holder ? `PID ${holder.pid} (${holder.role})` : 'another process'}`;
}

export interface NodeLockOptions {
  readonly dir?: string;
  /** How long to wait for another apply to finish; 0 = not at all. */
  readonly timeoutMs?: number;
  /** Told once, when the lock is busy and acquire() starts waiting. */
  readonly onWait?: (holder: LockHolder | null) => void;
}

/**
 * One writer per node: an flock(2) on `<dir>/<node>.lock`, held by a
 * `flock` helper for as long as its stdin is open. The kernel drops the lock
 * when the holder dies however it dies (its pipe closes), so a crashed
 * writer never blocks the node. An apply waits for another apply up to the
 * timeout, and stops at once when an agent owns the node: the agent would
 * revert it on its next pass.
 */
export class NodeLock {
  private constructor(
    readonly path: string,
    private readonly helper: ChildProcess,
  ) {}

  static async acquire(node: string, role: LockRole, opts: NodeLockOptions = {}): Promise<NodeLock> {
    if (!/^[A-Za-z0-9._-]+$/.test(node)) throw new RangeError(`node name unusable as a file name: ${node}`);
    const dir = opts.dir ?? DEFAULT_LOCK_DIR;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${node}.lock`);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    let helper = await take(path, null);
    if (helper === null) {
      const holder = await holderOf(path);
      if (holder?.role === 'agent' && role === 'apply') {
        throw new NodeLockedError(
          node,
          holder,
          ', which would revert this apply: commit to the branch it follows, or stop it first',
        );
      }
      if (timeoutMs > 0) {
        opts.onWait?.(holder);
        helper = await take(path, timeoutMs);
      }
      if (helper === null) {
        const waited = timeoutMs > 0 ? `; gave up after ${timeoutMs / 1000}s (--lock-timeout)` : '';
        throw new NodeLockedError(node, readHolder(path) ?? holder, waited);
      }
    }
    const mine: LockHolder = { pid: process.pid, role, since: new Date().toISOString() };
    writeFileSync(path, JSON.stringify(mine) + '\n', { mode: 0o600 });
    return new NodeLock(path, helper);
  }

  async release(): Promise<void> {
    if (this.helper.exitCode !== null || this.helper.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.helper.once('close', () => resolve()));
    this.helper.stdin?.end();
    await exited;
  }
}

/** Starts a helper holding the lock: null when busy (at once, or after `timeoutMs`). */
function take(path: string, timeoutMs: number | null): Promise<ChildProcess | null> {
  const wait = timeoutMs === null ? ['-n'] : ['-w', String(timeoutMs / 1000)];
  // /bin/sh named, with a bare environment: `flock -c` runs $SHELL, and a bash
  // with BASH_ENV set (pyenv, say) can sit in its start-up files for minutes.
  const hold = ['/bin/sh', '-c', 'echo locked; exec cat'];
  const child = spawn('flock', [...wait, '-E', String(BUSY), path, ...hold], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () => resolve(child));
    child.once('close', (code) => {
      if (code === BUSY) resolve(null);
      else reject(new Error(`node lock ${path}: flock exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/**
 * The holder writes its record just after flock grants it the lock: a writer
 * that finds the lock busy in between gives it a moment rather than naming
 * no one.
 */
async function holderOf(path: string): Promise<LockHolder | null> {
  for (let tries = 0; ; tries++) {
    const holder = readHolder(path);
    if (holder !== null || tries === HOLDER_TRIES) return holder;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return alive(holder.pid) ? holder : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
