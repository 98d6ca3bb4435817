import type { NodeStatus } from './node-status.js';

/** Where an agent's status is kept: the node's state file, and etcd when a cluster store is configured. */
export interface StatusStore {
  /** Names the store in logs and metrics: `file` or `etcd`. */
  readonly name: string;
  write(status: NodeStatus): Promise<void>;
  /** The node's last written status; null when none was ever written. */
  read(node: string): Promise<NodeStatus | null>;
  close(): Promise<void>;
}

/** The default state directory of a node: status and git cache survive agent restarts there. */
export function defaultStateDir(node: string): string {
  return `/var/lib/gitwire/${node}`;
}
