import type { Etcd3, Watcher } from 'etcd3';

/** Where the webhook receiver publishes the newest commit of each ref; every agent watches the prefix. */
export const REVISIONS_PREFIX = '/gitwire/revisions/';

export interface PublishedRevision {
  readonly ref: string;
  readonly commit: string;
  /** When the receiver accepted the push (ISO time), for push → enforced latency. */
  readonly at: string;
}

/** Records a verified push in etcd; one write reaches every watching agent. */
export async function publishRevision(client: Etcd3, ref: string, commit: string): Promise<void> {
  const value: PublishedRevision = { ref, commit, at: new Date().toISOString() };
  await client.put(`${REVISIONS_PREFIX}${ref}`).value(JSON.stringify(value));
}

/**
 * Calls `onRevision` for every push published from now on. The etcd client
 * re-establishes the watch after an outage on its own; the agent's polling
 * covers what was published meanwhile.
 */
export async function watchRevisions(client: Etcd3, onRevision: (r: PublishedRevision) => void): Promise<Watcher> {
  const watcher = await client.watch().prefix(REVISIONS_PREFIX).create();
  watcher.on('put', (kv) => {
    try {
      onRevision(JSON.parse(kv.value.toString('utf8')) as PublishedRevision);
    } catch {
      // a value that is not ours: ignore it, polling still converges
    }
  });
  return watcher;
}
