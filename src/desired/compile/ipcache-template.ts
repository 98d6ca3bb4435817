import type { Entry, IpcacheValue } from '../desired-state.js';
import { RESERVED_IDENTITIES } from '../identity/index.js';
import type { ClusterView, EndpointInfo, NodeInfo } from './cluster-view.js';
import { deepFreeze, entry, sortByAddress } from './sorted-entries.js';

/** A source that puts a prefix: a node's pod CIDR, address or gateway, or an endpoint. */
type Writer =
  | { readonly kind: 'podCidr' | 'address' | 'gateway'; readonly node: NodeInfo }
  | { readonly kind: 'endpoint'; readonly endpoint: EndpointInfo };

const WORLD_PREFIX = '0.0.0.0/0';

/**
 * Prefix → identity, for every node at once (in tunnel mode each remote pod
 * CIDR, too, naming its node). Later sources override earlier ones on the
 * same prefix: CIDRs from policies, then node addresses and gateways, then
 * endpoints, as Cilium prefers what it knows about a workload over a policy's CIDR.
 * A node's gateway (first address of its pod CIDR) is the source of traffic
 * the node itself sends to its endpoints, so it maps as Cilium's router IPs
 * do: host on this node, remote-node (reached through that node) elsewhere.
 *
 * Most of a node's entries are the same on every node; only the prefixes of
 * its own pod CIDR, address, gateway and endpoints differ. So the entries are
 * built once, as a node that is none of the cluster's sees them (sorted and
 * frozen), and a node's list is that list with its own prefixes worked out
 * again: the node-independent part compiled once per revision, and every
 * node's list the same as compiling it alone.
 */
export class IpcacheTemplate {
  private readonly base: readonly Entry<IpcacheValue>[];
  private readonly position = new Map<string, number>();
  /** Every source of a prefix other than policies, in the order they are applied. */
  private readonly writers = new Map<string, Writer[]>();
  /** A node's name → the prefixes whose entries depend on which node compiles. */
  private readonly own = new Map<string, string[]>();
  private readonly tunnel: boolean;

  constructor(
    view: ClusterView,
    private readonly cidrIdentities: ReadonlyMap<string, number>,
    private readonly worldPrefixUsed: boolean,
  ) {
    this.tunnel = view.cluster.spec.routingMode === 'tunnel';
    for (const n of view.nodes.values()) {
      if (this.tunnel) this.write(n.podCidrText, { kind: 'podCidr', node: n }, n);
      this.write(`${n.address}/32`, { kind: 'address', node: n }, n);
      this.write(`${n.gateway}/32`, { kind: 'gateway', node: n }, n);
    }
    // Indexed: a for-of over every endpoint costs a result object per step while the code is cold.
    for (let i = 0; i < view.endpoints.length; i++) {
      const e = view.endpoints[i]!;
      this.write(`${e.address}/32`, { kind: 'endpoint', endpoint: e }, e.node);
    }
    const entries: Entry<IpcacheValue>[] = [];
    if (worldPrefixUsed && !this.writers.has(WORLD_PREFIX)) entries.push(this.entryFor(WORLD_PREFIX, null)!);
    for (const prefix of cidrIdentities.keys())
      if (!this.writers.has(prefix)) entries.push(this.entryFor(prefix, null)!);
    for (const prefix of this.writers.keys()) entries.push(this.entryFor(prefix, null)!);
    this.base = deepFreeze(sortByAddress(entries));
    this.base.forEach((e, i) => this.position.set(e.key, i));
  }

  /** The node's entries: the shared ones, and its own prefixes' entries as the node sees them. */
  forNode(node: NodeInfo): readonly Entry<IpcacheValue>[] {
    const out = this.base.slice();
    let dropped = -1;
    for (const prefix of this.own.get(node.name) ?? []) {
      const at = this.position.get(prefix)!;
      const e = this.entryFor(prefix, node);
      // Only the node's own pod CIDR can be missing: no other node tunnels to it, and no policy names it.
      if (e) out[at] = deepFreeze(e);
      else dropped = at;
    }
    if (dropped >= 0) out.splice(dropped, 1);
    return out;
  }

  private write(prefix: string, writer: Writer, node: NodeInfo): void {
    const list = this.writers.get(prefix);
    if (list) list.push(writer);
    else this.writers.set(prefix, [writer]);
    // A prefix twice in a node's list (two of its sources on it) is worked out twice, to the same entry.
    const own = this.own.get(node.name);
    if (own) own.push(prefix);
    else this.own.set(node.name, [prefix]);
  }

  /** The prefix's entry as `node` sees it (null: a node that is none of the cluster's), applying its sources in order. */
  private entryFor(prefix: string, node: NodeInfo | null): Entry<IpcacheValue> | null {
    let put: Put | null = null;
    if (prefix === WORLD_PREFIX && this.worldPrefixUsed) put = [RESERVED_IDENTITIES.world, null, 'world'];
    const cidr = this.cidrIdentities.get(prefix);
    if (cidr !== undefined) put = [cidr, null, `cidr:${prefix}`];
    for (const w of this.writers.get(prefix) ?? []) put = written(w, put, node?.name ?? null);
    return put === null ? null : entry(prefix, { prefix, identity: put[0], tunnelEndpoint: put[1] }, put[2]);
  }
}

/** What a source puts: identity, tunnel endpoint, label. */
type Put = readonly [number, string | null, string];

/** What the prefix holds after `w`, as node `self` sees it; `before` is what it held. */
function written(w: Writer, before: Put | null, self: string | null): Put | null {
  if (w.kind === 'endpoint') {
    const e = w.endpoint;
    return [e.identity, e.node.name === self ? null : e.node.address, e.key];
  }
  const n = w.node;
  const own = n.name === self;
  const identity = own ? RESERVED_IDENTITIES.host : RESERVED_IDENTITIES['remote-node'];
  switch (w.kind) {
    // A remote pod CIDR names its node, so an endpoint this revision does not know yet is still tunnelled to it.
    case 'podCidr':
      return own ? before : [before?.[0] ?? RESERVED_IDENTITIES.world, n.address, `pod CIDR of ${n.name}`];
    case 'address':
      return [identity, null, `node ${n.name}`];
    case 'gateway':
      return [identity, own ? null : n.address, `gateway of ${n.name}`];
  }
}
