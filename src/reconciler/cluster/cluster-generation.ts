import type { Etcd3, IKeyValue, Watcher } from 'etcd3';

/**
 * The cluster generation: etcd's mod revision of this key. Whatever changes
 * the cluster outside git (an identity claimed, a node's lease key created
 * or gone) rewrites the key, so every agent reads the same number for the
 * same cluster state, and it only grows.
 */
export const GENERATION_KEY = '/gitwire/cluster/generation';
const NODES_PREFIX = '/gitwire/nodes/';

/** What the generation key says about its last bump (for people reading etcd; agents use only its revision). */
export interface GenerationCause {
  readonly cause: 'identity' | 'node-joined' | 'node-left';
  readonly detail: string;
  readonly at: string;
}

/** The put that bumps the generation, to go into the transaction that changes the cluster. */
export function bumpGeneration(client: Etcd3, cause: GenerationCause['cause'], detail: string) {
  const value: GenerationCause = { cause, detail, at: new Date().toISOString() };
  return client.put(GENERATION_KEY).value(JSON.stringify(value));
}

/** The generation now; 0 while nothing has bumped it. */
export async function readGeneration(client: Etcd3): Promise<number> {
  const res = await client.get(GENERATION_KEY).exec();
  return generationOf(res.kvs[0]);
}

export interface GenerationWatch {
  close(): Promise<void>;
}

/**
 * Calls `onGeneration` with the generation now and with every later one.
 * Node leases are bumped for by the watchers: a lease that expires has
 * nobody left to bump it, and the lease holder need not know about
 * generations. Every watcher tries, with a compare on the key's revision, so
 * exactly one bump lands per lease key created or gone. Lost watch events
 * after an outage are covered by the etcd client's re-watch from the last
 * revision it saw.
 */
export async function watchGeneration(client: Etcd3, onGeneration: (g: number) => void): Promise<GenerationWatch> {
  const generation: Watcher = await client.watch().key(GENERATION_KEY).create();
  generation.on('put', (kv) => onGeneration(generationOf(kv)));
  const nodes: Watcher = await client.watch().prefix(NODES_PREFIX).create();
  const bumpFor = (kv: IKeyValue, cause: 'node-joined' | 'node-left'): void => {
    const key = kv.key.toString('utf8');
    if (!key.endsWith('/lease')) return;
    void client
      .if(GENERATION_KEY, 'Mod', '<', Number(kv.mod_revision))
      .then(bumpGeneration(client, cause, key.slice(NODES_PREFIX.length, -'/lease'.length)))
      .commit()
      .catch(() => undefined); // etcd away: the next lease or identity change bumps it
  };
  // A lease key's first version is a node joining; a lease kept alive rewrites nothing.
  nodes.on('put', (kv) => kv.version === '1' && bumpFor(kv, 'node-joined'));
  nodes.on('delete', (kv) => bumpFor(kv, 'node-left'));
  // etcd away now: the watches deliver the generation once it answers and anything bumps it.
  await readGeneration(client).then(onGeneration, () => undefined);
  return {
    close: async () => {
      await Promise.all([generation.cancel(), nodes.cancel()]);
    },
  };
}

const generationOf = (kv: IKeyValue | undefined): number => (kv ? Number(kv.mod_revision) : 0);
