import type { Etcd3 } from 'etcd3';
import type { EventFilterSpec } from '../flows/event-filter.js';
import { ObserveRequestError, streamAgentEvents, type ObservedLine } from '../agent/observe-server-client.js';

const NODES_PREFIX = '/gitwire/nodes/';

/** `/gitwire/nodes/<node>/observe`: where the node's agent serves its events, bound to the node's lease. */
export const observeKey = (node: string): string => `${NODES_PREFIX}${node}/observe`;

/** The key and value an agent registers (under its node lease) for its observe URL. */
export function observeEntry(node: string, url: string): Record<string, string> {
  return { [observeKey(node)]: JSON.stringify({ url }) };
}

/** node → observe URL of every agent that serves its events and holds its lease now. */
export async function agentEndpoints(etcd: Etcd3): Promise<Map<string, string>> {
  const all = await etcd.getAll().prefix(NODES_PREFIX).strings();
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(all)) {
    const m = /^\/gitwire\/nodes\/([^/]+)\/observe$/.exec(key);
    if (!m) continue;
    try {
      out.set(m[1]!, (JSON.parse(value) as { url: string }).url);
    } catch {
      // Not ours to fix: a key another writer left; that node is simply not followed.
    }
  }
  return out;
}

/** No agent registered for the node asked for. */
export class AgentNotFoundError extends Error {
  readonly code = 'E_OBSERVE_NO_AGENT';
  constructor(readonly node: string) {
    super(`no agent of node ${node} serves its events in etcd (is it running with --observe-addr?)`);
    this.name = 'AgentNotFoundError';
  }
}

/** A stream that failed is reopened after this, if its node is still registered. */
const RETRY_MS = 5000;

export interface FollowAgentsOptions {
  readonly etcd: Etcd3;
  readonly token: string | null;
  readonly filter?: EventFilterSpec;
  /** Only this node (it must be registered when following starts); every registered node otherwise. */
  readonly node?: string;
  readonly onLine: (line: ObservedLine) => void;
  /** What happened to the nodes: one joined, its stream ended, it left. */
  readonly onNote: (line: string) => void;
  /** An agent refused the token (401): not retried at that URL, since the token will not change. */
  readonly onRefused?: (node: string, e: ObserveRequestError) => void;
  /** How often the directory is read again for nodes that joined, left or came back (default 2 s). */
  readonly pollMs?: number;
}

export interface AgentFollower {
  /** The nodes streaming now. */
  readonly streaming: ReadonlySet<string>;
  close(): Promise<void>;
}

/**
 * Merges the event streams of every agent in the directory into one: each
 * node streams on its own connection, so a node that goes away is reported
 * and the others keep streaming; the directory is read again every poll, so
 * a node that joins or comes back is followed too.
 */
export async function followAgents(opts: FollowAgentsOptions): Promise<AgentFollower> {
  const streams = new Map<string, { url: string; abort: AbortController; done: Promise<void> }>();
  const known = new Set<string>();
  const retryAt = new Map<string, number>();
  const refused = new Map<string, string>();
  const stop = new AbortController();
  const wanted = (node: string) => opts.node === undefined || node === opts.node;

  const start = (node: string, url: string) => {
    const abort = new AbortController();
    const entry = { url, abort, done: Promise.resolve() };
    entry.done = streamAgentEvents({
      endpoint: url,
      token: opts.token,
      ...(opts.filter ? { filter: opts.filter } : {}),
      onLine: opts.onLine,
      signal: abort.signal,
    })
      .then(
        () => (abort.signal.aborted ? undefined : opts.onNote(`node ${node}: its agent ended the stream`)),
        (e: Error) => {
          if (e instanceof ObserveRequestError && e.status === 401) {
            refused.set(node, url);
            opts.onRefused?.(node, e);
          } else opts.onNote(`node ${node}: stream failed: ${e.message}`);
        },
      )
      .finally(() => {
        if (streams.get(node) === entry) streams.delete(node);
        // A node still registered is tried again, but not before its lease had time to expire.
        retryAt.set(node, Date.now() + RETRY_MS);
      });
    streams.set(node, entry);
  };

  const poll = async () => {
    const endpoints = await agentEndpoints(opts.etcd).catch((e: Error) => {
      opts.onNote(`etcd unreachable (${e.message}): following the nodes already streaming`);
      return null;
    });
    if (!endpoints || stop.signal.aborted) return;
    for (const [node, url] of endpoints) {
      if (!wanted(node)) continue;
      const current = streams.get(node);
      if (refused.get(node) === url) continue;
      if (current?.url === url || (!current && (retryAt.get(node) ?? 0) > Date.now() && known.has(node))) continue;
      current?.abort.abort();
      opts.onNote(`node ${node}: streaming from ${url}`);
      known.add(node);
      start(node, url);
    }
    for (const node of known) {
      if (endpoints.has(node)) continue;
      known.delete(node);
      streams.get(node)?.abort.abort();
      opts.onNote(`node ${node}: left (no agent lease in etcd)`);
    }
  };

  if (opts.node !== undefined && !(await agentEndpoints(opts.etcd)).has(opts.node))
    throw new AgentNotFoundError(opts.node);
  await poll();
  if (known.size === 0) opts.onNote('no agent serves its events yet: waiting for one to register');
  // One poll at a time: two reading the directory at once would both open a stream to a new node.
  let polling: Promise<void> | null = null;
  const timer = setInterval(() => {
    polling ??= poll().finally(() => (polling = null));
  }, opts.pollMs ?? 2000);
  return {
    get streaming() {
      return new Set(streams.keys());
    },
    close: async () => {
      stop.abort();
      clearInterval(timer);
      await polling;
      const pending = [...streams.values()];
      for (const s of pending) s.abort.abort();
      await Promise.all(pending.map((s) => s.done));
    },
  };
}
