import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeStatus } from './node-status.js';
import type { StatusStore } from './status-store.js';

/**
 * `status.json` in the node's state directory, replaced atomically (write
 * aside, rename) so a reader never sees half. The status carries repository
 * URLs and error text, and the directory the git cache: only their owner
 * reads them (directory 0700, file 0600).
 */
export class FileStatusStore implements StatusStore {
  readonly name = 'file';

  constructor(readonly dir: string) {}

  get path(): string {
    return join(this.dir, 'status.json');
  }

  async write(status: NodeStatus): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const aside = `${this.path}.${process.pid}.tmp`;
    await writeFile(aside, JSON.stringify(status, null, 2) + '\n', { mode: 0o600 });
    await chmod(aside, 0o600);
    await rename(aside, this.path);
  }

  /**
   * Creates the directory 0700, or refuses one that others can read: the
   * agent checks at start rather than chmod a directory the user named.
   */
  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const mode = (await stat(this.dir)).mode & 0o777;
    if ((mode & 0o077) !== 0) throw new StateDirOpenError(this.dir, mode);
  }

  async read(node: string): Promise<NodeStatus | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const status = JSON.parse(text) as NodeStatus;
    if (status.node !== node) throw new StatusNodeMismatchError(this.path, node, status.node);
    return status;
  }

  async close(): Promise<void> {}
}

/** A state directory holds another node's status: a wrong `--state-dir`, never silently read as this node's. */
export class StatusNodeMismatchError extends Error {
  readonly code = 'E_STATUS_NODE_MISMATCH';
  constructor(
    readonly path: string,
    readonly node: string,
    readonly found: string,
  ) {
    super(`${path} holds the status of node ${found}, not ${node}`);
    this.name = 'StatusNodeMismatchError';
  }
}

/** The state directory lets other users in: they would read the node's status and git cache. */
export class StateDirOpenError extends Error {
  readonly code = 'E_STATE_DIR_OPEN';
  constructor(
    readonly dir: string,
    readonly mode: number,
  ) {
    super(`state directory ${dir} has mode ${mode.toString(8)}, open to other users: run chmod 700 ${dir}`);
    this.name = 'StateDirOpenError';
  }
}
