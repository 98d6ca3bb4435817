import type { Etcd3, Lease } from 'etcd3';

/** `/gitwire/nodes/<node>/lease`: present while the node's agent is alive and reaches etcd. */
export const leaseKey = (node: string): string => `/gitwire/nodes/${node}/lease`;

export interface NodeLease {
  close(): Promise<void>;
}

/**
 * Keeps a lease-bound key for the node in etcd, as Cilium's agents keep their
 * node registration: the lease is kept alive while the agent runs and reaches
 * etcd, and expires `ttlSeconds` after it stops or loses etcd, so every other
 * node (and `gitwire status --all-nodes`) sees which agents are gone. A lost
 * lease (etcd outage) is granted again once etcd answers.
 */
export function startNodeLease(
  client: Etcd3,
  node: string,
  ttlSeconds = 10,
  log: (l: string) => void = () => {},
): NodeLease {
  let lease: Lease | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const grant = async (): Promise<void> => {
    if (closed) return;
    try {
      const next = client.lease(ttlSeconds, { autoKeepAlive: true });
      next.on('lost', () => {
        log('node lease lost (etcd unreachable?): granting a new one when etcd answers');
        lease = null;
        timer = setTimeout(() => void grant(), 1000);
      });
      await next.put(leaseKey(node)).value(JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      lease = next;
    } catch {
      timer = setTimeout(() => void grant(), 1000);
    }
  };
  void grant();
  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await lease?.revoke().catch(() => undefined);
    },
  };
}

/** Nodes whose agent holds a live lease. */
export async function liveNodes(client: Etcd3): Promise<Set<string>> {
  const keys = await client.getAll().prefix('/gitwire/nodes/').keys();
  return new Set(keys.filter((k) => k.endsWith('/lease')).map((k) => k.split('/')[3]!));
}
