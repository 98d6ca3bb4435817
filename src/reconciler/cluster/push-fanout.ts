import type { Etcd3, Watcher } from 'etcd3';
import { publishRevision, watchRevisions } from './revision-feed.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

export interface PushFanoutOptions {
  /** Receive push webhooks here (`host:port`); off when absent. */
  readonly webhook?: { readonly host: string; readonly port: number; readonly secret: string };
  /** With etcd (the caller's client), a received push is published there and every agent watching reconciles at once. */
  readonly etcd?: Etcd3;
  /** Runs a reconcile pass now (the agent's reconcileNow). */
  readonly trigger: () => void;
  readonly log?: (line: string) => void;
}

export interface PushFanout {
  readonly webhookPort: number | null;
  close(): Promise<void>;
}

/**
 * Converge on push: a webhook receiver and an etcd watch. One agent (or a
 * few) receives the host's webhook and publishes the commit in etcd; every
 * agent watches that key and reconciles immediately, so a thousand nodes need
 * neither a webhook each nor a fast poll. Without etcd the receiver triggers
 * only its own agent. Polling stays the fallback for anything missed.
 */
export async function startPushFanout(opts: PushFanoutOptions): Promise<PushFanout> {
  const log = opts.log ?? (() => undefined);
  const client = opts.etcd ?? null;
  let watcher: Watcher | null = null;
  let server: WebhookServer | null = null;
  try {
    if (client) {
      watcher = await watchRevisions(client, (r) => {
        log(`push of ${r.ref} to ${r.commit.slice(0, 12)} published in etcd: reconciling now`);
        opts.trigger();
      });
    }
    if (opts.webhook) {
      const { host, port, secret } = opts.webhook;
      server = await startWebhookServer(
        host,
        port,
        secret,
        (push) => {
          if (!client) return opts.trigger();
          publishRevision(client, push.ref, push.commit).catch((e: Error) => {
            log(`could not publish the push in etcd (${e.message}): reconciling this node only`);
            opts.trigger();
          });
        },
        log,
      );
    }
  } catch (e) {
    await watcher?.cancel();
    throw e;
  }
  return {
    webhookPort: server?.port ?? null,
    close: async () => {
      await server?.close();
      await watcher?.cancel();
    },
  };
}
