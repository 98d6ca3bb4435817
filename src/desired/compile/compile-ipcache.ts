import type { Entry, IpcacheValue } from '../desired-state.js';
import { RESERVED_IDENTITIES } from '../identity/index.js';
import type { ClusterView, NodeInfo } from './cluster-view.js';
import { entry, sortByAddress } from './sorted-entries.js';

/**
 * Prefix → identity for this node (in tunnel mode each remote pod CIDR, too,
 * naming its node). Later sources override earlier ones on the
 * same prefix: CIDRs from policies, then node addresses and gateways, then
 * endpoints, as Cilium prefers what it knows about a workload over a policy's CIDR.
 * A node's gateway (first address of its pod CIDR) is the source of traffic
 * the node itself sends to its endpoints, so it maps as Cilium's router IPs
 * do: host on this node, remote-node (reached through that node) elsewhere.
 * Sorted by key.
 */
export function compileIpcache(
  view: ClusterView,
  node: NodeInfo,
  cidrIdentities: ReadonlyMap<string, number>,
  worldPrefixUsed: boolean,
): Entry<IpcacheValue>[] {
  const map = new Map<string, Entry<IpcacheValue>>();
  const put = (prefix: string, identity: number, tunnelEndpoint: string | null, label: string) =>
    map.set(prefix, entry(prefix, { prefix, identity, tunnelEndpoint }, label));
  if (worldPrefixUsed) put('0.0.0.0/0', RESERVED_IDENTITIES.world, null, 'world');
  for (const [prefix, id] of cidrIdentities) put(prefix, id, null, `cidr:${prefix}`);
  const tunnel = view.cluster.spec.routingMode === 'tunnel';
  for (const n of view.nodes.values()) {
    const self = n.name === node.name;
    // A remote pod CIDR names its node, so an endpoint this revision does not know yet is still tunnelled to it.
    if (tunnel && !self) {
      const identity = map.get(n.podCidrText)?.value.identity ?? RESERVED_IDENTITIES.world;
      put(n.podCidrText, identity, n.address, `pod CIDR of ${n.name}`);
    }
    const identity = self ? RESERVED_IDENTITIES.host : RESERVED_IDENTITIES['remote-node'];
    put(`${n.address}/32`, identity, null, `node ${n.name}`);
    put(`${n.gateway}/32`, identity, self ? null : n.address, `gateway of ${n.name}`);
  }
  // Indexed: a for-of over every endpoint costs a result object per step while the code is cold.
  for (let i = 0; i < view.endpoints.length; i++) {
    const e = view.endpoints[i]!;
    put(`${e.address}/32`, e.identity, e.node.name === node.name ? null : e.node.address, e.key);
  }
  return sortByAddress([...map.values()]);
}
