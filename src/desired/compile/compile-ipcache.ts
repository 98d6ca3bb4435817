import type { Entry, IpcacheValue } from '../desired-state.js';
import { RESERVED_IDENTITIES } from '../identity/index.js';
import type { ClusterView, NodeInfo } from './cluster-view.js';
import { parseIpv4 } from './ipv4.js';
import { entry, sortEntries } from './sorted-entries.js';

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
  return inAddressOrder([...map.values()]);
}

/**
 * Prefixes in address order, which is their key order: a node's ~5,000
 * entries are ordered by number, not by comparing key text. A key that is
 * not `a.b.c.d/len`, or two keys for one number, leave it to sortEntries.
 */
function inAddressOrder(entries: Entry<IpcacheValue>[]): Entry<IpcacheValue>[] {
  const byNumber = new Map<number, Entry<IpcacheValue>>();
  const numbers = new Float64Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const n = prefixNumber(e.key);
    if (n < 0 || byNumber.has(n)) return sortEntries(entries);
    byNumber.set(n, e);
    numbers[i] = n;
  }
  numbers.sort();
  const sorted: Entry<IpcacheValue>[] = [];
  for (let i = 0; i < numbers.length; i++) sorted.push(byNumber.get(numbers[i]!)!);
  return sorted;
}

/** `a.b.c.d/len` as one number, address then length; -1 for anything else. */
function prefixNumber(key: string): number {
  const slash = key.indexOf('/');
  const address = slash < 0 ? null : parseIpv4(key.slice(0, slash));
  const len = slash < 0 ? NaN : Number(key.slice(slash + 1));
  return address === null || !Number.isInteger(len) || len < 0 || len > 32 ? -1 : address * 64 + len;
}
