import { IpOps } from './internal/ip-ops.js';
import type { EndpointValue, Entry } from '../../desired/desired-state.js';
import { TransientError } from './transient-error.js';
import type { NetNode } from './net-node.js';
import { ensureForwarding } from './internal/forwarding.js';
import { inet, isUp, type IpLink } from './internal/ip-json.js';
import { ownedLinks, scanNamed, scanNode, type NetnsScan, type NodeScan } from './internal/node-scan.js';
import { ipLine } from './internal/ip-runner.js';
import { endpointMark, GITWIRE_ROUTE_PROTO, parseEndpointMark } from './internal/ownership.js';

/**
 * Drives the plumbing of each endpoint inside the veth pair LinkOps created:
 * in the endpoint's netns, `lo` up, the peer up with the endpoint's MAC and
 * address/32 and the default route `via <gateway> dev <peer> onlink`; on the
 * node, the gateway address/32 on the host veth (so the node answers ARP for
 * it) and IPv4 forwarding. The host route to the endpoint is a `route` entry.
 *
 * Apply order: link before endpoint before route; delete the other way round.
 * update() of an endpoint whose veth is not there yet fails transiently.
 * delete() and prune() remove the endpoint's netns and its veth. A namespace
 * gitwire marked but whose veth was removed behind its back is no endpoint
 * any more; only NetnsOps.prune (a sweep of every namespace) finds it.
 */
export class EndpointOps extends IpOps<EndpointValue> {
  async updateMany(entries: readonly Entry<EndpointValue>[]): Promise<void> {
    const scan = await scanNode(this.node);
    const netns = scanNamed(entries.map((e) => e.value.netns));
    const nodeLines: string[] = [];
    const perNetns: [string, string[]][] = [];
    for (const { key, value: ep } of entries) {
      const host = this.hostVeth(scan, ep);
      const peer = netns.get(ep.netns)?.links.find((l) => l.ifindex === host.link_index);
      if (peer === undefined) {
        throw new TransientError('endpoint update', `peer of ${ep.ifName} not found in netns ${ep.netns}`, { key });
      }
      perNetns.push([ep.netns, this.netnsLines(netns.get(ep.netns) as NetnsScan, peer, key, ep)]);
      const hostAddrs = inet(host);
      for (const a of hostAddrs) {
        if (a.local !== ep.gateway || a.prefixlen !== 32)
          nodeLines.push(ipLine`addr del ${a.local}/${a.prefixlen} dev ${host.ifname}`);
      }
      if (!hostAddrs.some((a) => a.local === ep.gateway && a.prefixlen === 32)) {
        nodeLines.push(ipLine`addr add ${ep.gateway}/32 dev ${host.ifname}`);
      }
    }
    await this.ip.write(this.node.nodeNs, nodeLines);
    await this.ip.writeEach(perNetns);
    await ensureForwarding(this.ip, this.node, scan);
  }

  async deleteMany(entries: readonly Entry<EndpointValue>[]): Promise<void> {
    const scan = await scanNode(this.node);
    await this.removeNetns(
      scan,
      entries.map((e) => e.value.netns),
    );
  }

  async prune(allDesired: readonly Entry<EndpointValue>[]): Promise<void> {
    const keep = new Set(allDesired.map((e) => e.value.netns));
    const scan = await scanNode(this.node);
    await this.removeNetns(
      scan,
      vethPeerNetns(scan, this.node).filter((n) => !keep.has(n)),
    );
  }

  /** Reads the namespaces the node's gitwire veths lead into (lo is marked only once its veth exists). */
  async observe(): Promise<Entry<EndpointValue>[]> {
    const scan = await scanNode(this.node);
    return observedEndpoints(this.node, scan, scanNamed(vethPeerNetns(scan, this.node)));
  }

  private hostVeth(scan: NodeScan, ep: EndpointValue): IpLink {
    const host = ownedLinks(scan, this.node).find((l) => l.ifname === ep.ifName);
    const peerNs = host?.link_netnsid === undefined ? undefined : scan.nsNames.get(host.link_netnsid);
    if (host === undefined || peerNs !== ep.netns) {
      throw new TransientError('endpoint update', `veth ${ep.ifName} into netns ${ep.netns} is not there yet`, {
        ifName: ep.ifName,
      });
    }
    return host;
  }

  private netnsLines(ns: NetnsScan, peer: IpLink, key: string, ep: EndpointValue): string[] {
    const lines: string[] = [];
    const dev = peer.ifname;
    if (!ns.links.some((l) => l.ifname === 'lo' && isUp(l))) lines.push('link set dev lo up');
    if (peer.address !== ep.mac) lines.push(ipLine`link set dev ${dev} address ${ep.mac}`);
    const mark = endpointMark(this.node.owner, key, ep);
    if (peer.ifalias !== mark) lines.push(ipLine`link set dev ${dev} alias ${mark}`);
    if (!isUp(peer)) lines.push(ipLine`link set dev ${dev} up`);
    const addrs = inet(peer);
    for (const a of addrs) {
      if (a.local !== ep.address || a.prefixlen !== 32)
        lines.push(ipLine`addr del ${a.local}/${a.prefixlen} dev ${dev}`);
    }
    if (!addrs.some((a) => a.local === ep.address && a.prefixlen === 32))
      lines.push(ipLine`addr add ${ep.address}/32 dev ${dev}`);
    if (defaultGateway(ns, dev) !== ep.gateway) {
      lines.push(ipLine`route replace default via ${ep.gateway} dev ${dev} onlink proto ${GITWIRE_ROUTE_PROTO}`);
    }
    return lines;
  }

  /**
   * Deletes the namespaces the node owns among `names`, then their host veths:
   * the kernel tears a namespace down asynchronously, and a crash in between
   * leaves nothing the kernel will not remove by itself.
   */
  private async removeNetns(scan: NodeScan, names: readonly string[]): Promise<void> {
    const mine = [...scanNamed(names).values()].filter((s) => s.owner === this.node.owner).map((s) => s.name);
    const set = new Set(mine);
    const veths = ownedLinks(scan, this.node).filter(
      (l) => l.link_netnsid !== undefined && set.has(scan.nsNames.get(l.link_netnsid) ?? ''),
    );
    await this.ip.remove(
      null,
      mine.map((n) => ipLine`netns del ${n}`),
    );
    await this.ip.remove(
      this.node.nodeNs,
      veths.map((l) => ipLine`link del dev ${l.ifname}`),
    );
  }
}

/** Endpoint entries from one read of the node and of the namespaces its veths lead into. */
export function observedEndpoints(
  node: NetNode,
  scan: NodeScan,
  netns: ReadonlyMap<string, NetnsScan>,
): Entry<EndpointValue>[] {
  const out: Entry<EndpointValue>[] = [];
  for (const ns of netns.values()) {
    if (ns.owner !== node.owner) continue;
    for (const peer of ns.links) {
      const meta = parseEndpointMark(node.owner, peer.ifalias);
      if (meta === null) continue;
      const { key, ...rest } = meta;
      out.push({ key, value: { ...rest, ...livePlumbing(node, scan, ns, peer) } });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The fields the kernel holds. The address counts only while it is usable
 * (lo and the peer up, a single /32), and the gateway only while the default
 * route uses it and the host veth holds it; anything else reads as '' so
 * that plan() asks for an update, which repairs it.
 */
function livePlumbing(
  node: NetNode,
  scan: NodeScan,
  ns: NetnsScan,
  peer: IpLink,
): Pick<EndpointValue, 'address' | 'mac' | 'ifName' | 'gateway' | 'netns'> {
  const host = ownedLinks(scan, node).find(
    (l) =>
      l.link_netnsid !== undefined && scan.nsNames.get(l.link_netnsid) === ns.name && l.link_index === peer.ifindex,
  );
  const addrs = inet(peer);
  const loUp = ns.links.some((l) => l.ifname === 'lo' && isUp(l));
  const usable = loUp && isUp(peer) && addrs.length === 1 && addrs[0]?.prefixlen === 32;
  const gw = defaultGateway(ns, peer.ifname);
  const hostHolds = host !== undefined && inet(host).some((a) => a.local === gw && a.prefixlen === 32);
  return {
    address: usable ? (addrs[0]?.local ?? '') : '',
    mac: peer.address ?? '',
    ifName: host?.ifname ?? '',
    gateway: hostHolds ? (gw ?? '') : '',
    netns: ns.name,
  };
}

/** Names of the namespaces the node's gitwire veths lead into. */
export function vethPeerNetns(scan: NodeScan, node: NetNode): string[] {
  return ownedLinks(scan, node).flatMap((l) => {
    const ns = l.link_netnsid === undefined ? undefined : scan.nsNames.get(l.link_netnsid);
    return l.linkinfo?.info_kind === 'veth' && ns !== undefined ? [ns] : [];
  });
}

function defaultGateway(ns: NetnsScan, dev: string): string | undefined {
  const r = ns.routes.find((x) => x.dst === 'default' && x.dev === dev && x.flags.includes('onlink'));
  return r?.gateway;
}
