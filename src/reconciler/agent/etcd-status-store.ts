import { Etcd3 } from 'etcd3';
import type { NodeStatus } from './node-status.js';
import type { StatusStore } from './status-store.js';

const PREFIX = '/gitwire/nodes/';

export function statusKey(node: string): string {
  return `${PREFIX}${node}/status`;
}

/**
 * `/gitwire/nodes/<node>/status` in etcd. A failed write is not retried here:
 * after an etcd restart the client's circuit breaker refuses calls for a few
 * seconds, and the agent writes its status again on its next pass anyway.
 */
export class EtcdStatusStore implements StatusStore {
  readonly name = 'etcd';
  private readonly client: Etcd3;

  constructor(endpoints: readonly string[]) {
    this.client = new Etcd3({ hosts: [...endpoints], dialTimeout: 5000 });
  }

  async write(status: NodeStatus): Promise<void> {
    await this.client.put(statusKey(status.node)).value(JSON.stringify(status));
  }

  async read(node: string): Promise<NodeStatus | null> {
    const text = await this.client.get(statusKey(node)).string();
    return text === null ? null : (JSON.parse(text) as NodeStatus);
  }

  /** Every node's status, by node name. */
  async list(): Promise<NodeStatus[]> {
    const all = await this.client.getAll().prefix(PREFIX).strings();
    return Object.entries(all)
      .filter(([key]) => key.endsWith('/status'))
      .map(([, text]) => JSON.parse(text) as NodeStatus)
      .sort((a, b) => a.node.localeCompare(b.node));
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

/** `--etcd-endpoints` as given on the command line: comma-separated URLs. */
export function parseEndpoints(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new RangeError('--etcd-endpoints: no endpoint given');
  return list;
}
