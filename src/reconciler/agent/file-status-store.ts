import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeStatus } from './node-status.js';
import type { StatusStore } from './status-store.js';

/** `status.json` in the node's state directory, replaced atomically (write aside, rename) so a reader never sees half. */
export class FileStatusStore implements StatusStore {
  readonly name = 'file';

  constructor(readonly dir: string) {}

  get path(): string {
    return join(this.dir, 'status.json');
  }

  async write(status: NodeStatus): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const aside = `${this.path}.${process.pid}.tmp`;
    await writeFile(aside, JSON.stringify(status, null, 2) + '\n');
    await rename(aside, this.path);
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
