import { hostname } from 'node:os';
import type { DesiredState } from '../../desired/index.js';
import {
  isLoopbackHost,
  l7FeedPath,
  observeAddressPath,
  ObserveHub,
  ObserveTokenRequiredError,
  parseAddr,
  readObserveToken,
  removeObserveAddress,
  startObserveServer,
  writeObserveAddress,
  type Agent,
} from '../../reconciler/agent/index.js';
import { observeEntry } from '../../reconciler/cluster/agent-directory.js';
import type { FlowRecorder, FlowStore, IdentityLabels } from '../../reconciler/flows/index.js';

export interface ObserveFlags {
  observeAddr?: string;
  observeTokenFile?: string;
  observeUrl?: string;
}

/** The observe token, checked before the agent takes the node: refused without one beyond loopback. */
export function observeToken(flags: ObserveFlags): string | null {
  if (!flags.observeAddr) return null;
  const { host } = parseObserveAddr(flags.observeAddr);
  const token = readObserveToken(flags.observeTokenFile);
  if (token === null && !isLoopbackHost(host)) throw new ObserveTokenRequiredError(flags.observeAddr);
  return token;
}

export interface AgentObserveOptions {
  readonly flags: ObserveFlags & { observeAddr: string };
  readonly token: string | null;
  readonly node: string;
  readonly agent: Agent;
  readonly hub: ObserveHub;
  readonly recorder: FlowRecorder;
  readonly store: FlowStore;
  readonly lostEvents: () => number | null;
}

/**
 * Serves the node's events and flow records, tells a local `gitwire monitor`
 * where (beside the node lock), and returns the etcd key that tells every
 * other machine (bound to the node lease by the caller).
 */
export async function startAgentObserve(
  o: AgentObserveOptions,
): Promise<{ url: string; leaseKeys: Record<string, string>; close(): Promise<void> }> {
  const server = await startObserveServer({
    addr: o.flags.observeAddr,
    token: o.token,
    node: o.node,
    hub: o.hub,
    identities: enforcedIdentities(() => o.agent.enforced?.desired ?? null),
    lostEvents: o.lostEvents,
    flows: async (since) => {
      // Saved first, so the answer includes what was seen since the last tick.
      await o.recorder.tick();
      const after = since === null ? 0 : Date.now() - since * 1000;
      return o.store.flows().filter((f) => f.lastSeen.getTime() >= after);
    },
    l7FeedPath: l7FeedPath(o.node),
  });
  const { host } = parseObserveAddr(o.flags.observeAddr);
  const advertised =
    o.flags.observeUrl ??
    (host && host !== '0.0.0.0' && host !== '::' ? server.url : `http://${hostname()}:${server.port}`);
  const addressFile = observeAddressPath(o.node);
  writeObserveAddress(addressFile, { url: server.url, pid: process.pid, tokenRequired: o.token !== null });
  return {
    url: advertised,
    leaseKeys: observeEntry(o.node, advertised),
    close: async () => {
      removeObserveAddress(addressFile);
      await server.close();
    },
  };
}

export function parseObserveAddr(addr: string): { host: string | undefined; port: number } {
  try {
    return parseAddr(addr);
  } catch {
    throw new RangeError(`invalid --observe-addr '${addr}': expected HOST:PORT, e.g. 127.0.0.1:9964`);
  }
}

/** The enforced revision's identity labels, rebuilt only when the revision changes. */
function enforcedIdentities(desired: () => DesiredState | null): () => IdentityLabels {
  let built: DesiredState | null = null;
  let labels: IdentityLabels = new Map();
  return () => {
    const d = desired();
    if (d !== built) {
      built = d;
      labels = new Map((d?.resources.identity ?? []).map((e) => [e.value.id, e.value.labels]));
    }
    return labels;
  };
}
