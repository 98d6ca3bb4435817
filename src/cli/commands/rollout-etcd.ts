import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import type { RolloutStore } from '../../reconciler/rollout/rollout-store.js';
import type { Actor } from '../../reconciler/rollout/node-hold.js';

export interface EtcdCliOpts {
  readonly etcdEndpoints: string;
  readonly by?: string;
}

/** The flags every rollout, suspend and pin command takes: where etcd is, and who acts. */
export function etcdOptions(cmd: Command, acts = true): Command {
  cmd.requiredOption('--etcd-endpoints <urls>', "the cluster's etcd (comma-separated URLs)");
  return acts ? cmd.option('--by <who>', 'who to record as acting (default: user@host)') : cmd;
}

/** Who acts, recorded with the time in etcd and shown in the node status. */
export function actor(opts: EtcdCliOpts): Actor {
  return { by: opts.by ?? `${userInfo().username}@${hostname()}`, at: new Date().toISOString() };
}

/** Runs `fn` with the rollout keys of the cluster's etcd; etcd3 is loaded only here, when a command runs. */
export async function withRolloutStore<T>(opts: EtcdCliOpts, fn: (store: RolloutStore) => Promise<T>): Promise<T> {
  const { Etcd3 } = await import('etcd3');
  const { parseEndpoints } = await import('../../reconciler/agent/etcd-status-store.js');
  const { RolloutStore } = await import('../../reconciler/rollout/rollout-store.js');
  const client = new Etcd3({ hosts: parseEndpoints(opts.etcdEndpoints), dialTimeout: 5000 });
  try {
    return await fn(new RolloutStore(client));
  } finally {
    client.close();
  }
}
