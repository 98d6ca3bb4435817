import { IpOps } from './internal/ip-ops.js';
import type { Entry, TunnelValue } from '../../desired/desired-state.js';
import { StalledError } from './stalled-error.js';
import { TransientError } from './transient-error.js';
import type { NetNode } from './net-node.js';
import { ensureForwarding } from './internal/forwarding.js';
import { routePrefix, type IpLink, type IpNeigh } from './internal/ip-json.js';
import { ipLine, type WriteCounter } from './internal/ip-runner.js';
import { readFdb } from './internal/netns-read.js';
import { ownedLinks, scanNode, type NodeScan } from './internal/node-scan.js';
import { GITWIRE_ROUTE_PROTO } from './internal/ownership.js';
import { tunnelNextHop, vtepMac, vtepUnderlay } from './internal/vtep.js';

export interface TunnelOpsOptions {
  /** The VXLAN device; by default the one VXLAN device the node owns. */
  readonly device?: string;
}

/**
 * Drives the kernel side of VXLAN tunnel entries: for each remote pod CIDR,
 * a permanent neighbour entry (next hop = the CIDR's network address, MAC =
 * the remote VTEP's, derived from its underlay address) and a static FDB entry
 * sending that MAC to the remote underlay address. With them, the route
 * `<prefix> via <network address> dev <vxlan> onlink` reaches the remote node.
 *
 * Neighbour and FDB entries on a device gitwire owns are gitwire's. An FDB
 * entry shared by two prefixes of one remote node goes with the last of them.
 * The kernel holds no node name: observe() reports `node` as ''.
 *
 * On a collect-metadata (`external`) device the overlay programs name the
 * remote node per packet: no FDB entry is written (stray ones are removed),
 * and the endpoint is read back from the neighbour's VTEP MAC.
 */
export class TunnelOps extends IpOps<TunnelValue> {
  constructor(
    node: NetNode,
    private readonly options: TunnelOpsOptions = {},
    counter: WriteCounter = { writes: 0 },
  ) {
    super(node, counter);
  }

  async updateMany(entries: readonly Entry<TunnelValue>[]): Promise<void> {
    const live = await this.read();
    const dev = live.dev.ifname;
    const neigh: string[] = [];
    const fdb = new Map<string, string>();
    const strayFdb: string[] = [];
    for (const { value: t } of entries) {
      const nh = tunnelNextHop(t.prefix);
      const mac = vtepMac(t.endpoint);
      if (live.neighbours.get(nh) !== mac) {
        neigh.push(ipLine`neigh replace ${nh} lladdr ${mac} dev ${dev} nud permanent proto ${GITWIRE_ROUTE_PROTO}`);
      }
      const dsts = live.fdb.get(mac) ?? [];
      if (live.external) {
        strayFdb.push(...dsts.map((dst) => ipLine`fdb del ${mac} dev ${dev} dst ${dst} self`));
      } else if (dsts.length !== 1 || dsts[0] !== t.endpoint) {
        fdb.set(mac, ipLine`fdb replace ${mac} dev ${dev} dst ${t.endpoint} self permanent`);
      }
    }
    await this.ip.remove(this.node.nodeNs, [...new Set(strayFdb)], 'bridge');
    await this.ip.write(this.node.nodeNs, [...fdb.values()], 'bridge');
    await this.ip.write(this.node.nodeNs, neigh);
    await ensureForwarding(this.ip, this.node, live.scan);
  }

  async deleteMany(entries: readonly Entry<TunnelValue>[]): Promise<void> {
    const live = await this.read({ optional: true });
    if (live === null) return;
    const gone = new Set(entries.map((e) => tunnelNextHop(e.value.prefix)).filter((nh) => live.neighbours.has(nh)));
    await this.removeNeighbours(live, gone);
  }

  async prune(allDesired: readonly Entry<TunnelValue>[]): Promise<void> {
    const live = await this.read({ optional: true });
    if (live === null) return;
    const keep = new Set(allDesired.map((e) => tunnelNextHop(e.value.prefix)));
    const gone = new Set([...live.neighbours.keys()].filter((nh) => !keep.has(nh)));
    const keepMacs = new Set(live.external ? [] : allDesired.map((e) => vtepMac(e.value.endpoint)));
    const strayFdb = [...live.fdb.keys()].filter((mac) => !keepMacs.has(mac));
    await this.removeNeighbours(live, gone, strayFdb);
  }

  async observe(): Promise<Entry<TunnelValue>[]> {
    const live = await this.read({ optional: true });
    return live === null ? [] : observedTunnels(live);
  }

  /** Deletes neighbour entries, then the FDB entries no remaining neighbour uses (plus `extraFdb`). */
  private async removeNeighbours(live: LiveTunnel, gone: ReadonlySet<string>, extraFdb: readonly string[] = []) {
    const dev = live.dev.ifname;
    const stillUsed = new Set([...live.neighbours].filter(([nh]) => !gone.has(nh)).map(([, mac]) => mac));
    const macs = new Set([...gone].map((nh) => live.neighbours.get(nh) ?? '').filter((m) => !stillUsed.has(m)));
    for (const m of extraFdb) macs.add(m);
    const fdb = [...macs].flatMap((mac) =>
      (live.fdb.get(mac) ?? []).map((dst) => ipLine`fdb del ${mac} dev ${dev} dst ${dst} self`),
    );
    await this.ip.remove(
      this.node.nodeNs,
      [...gone].map((nh) => ipLine`neigh del ${nh} dev ${dev}`),
    );
    await this.ip.remove(this.node.nodeNs, fdb, 'bridge');
  }

  private read(): Promise<LiveTunnel>;
  private read(opts: { optional: true }): Promise<LiveTunnel | null>;
  private async read(opts?: { optional: true }): Promise<LiveTunnel | null> {
    const live = await readTunnel(this.node, await scanNode(this.node), this.options.device);
    if (live === null && !opts?.optional) {
      throw new TransientError('tunnel', 'no VXLAN device yet', { device: this.options.device ?? null });
    }
    return live;
  }
}

/** Tunnel entries as the kernel holds them: gitwire's routes through the device joined with its neighbours and FDB. */
export function observedTunnels(live: LiveTunnel): Entry<TunnelValue>[] {
  const out: Entry<TunnelValue>[] = [];
  for (const r of live.scan.routes) {
    if (r.dev !== live.dev.ifname || r.gateway === undefined) continue;
    const mac = live.neighbours.get(r.gateway);
    if (mac === undefined) continue;
    const dsts = live.fdb.get(mac) ?? [];
    const fromFdb = dsts.length === 1 && vtepMac(dsts[0] ?? '') === mac ? (dsts[0] ?? '') : '';
    // An FDB entry left on an external device reads as no endpoint, so that apply removes it.
    const endpoint = !live.external ? fromFdb : dsts.length === 0 ? vtepUnderlay(mac) : '';
    const prefix = routePrefix(r.dst);
    out.push({ key: prefix, value: { prefix, endpoint } });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The node's VXLAN device (named, or the only one it owns) with its neighbours and FDB; null when there is none. */
export async function readTunnel(node: NetNode, scan: NodeScan, device?: string): Promise<LiveTunnel | null> {
  const vxlans = ownedLinks(scan, node).filter(
    (l) => l.linkinfo?.info_kind === 'vxlan' && (device ?? l.ifname) === l.ifname,
  );
  const dev = vxlans[0];
  if (dev === undefined) return null;
  if (vxlans.length > 1) throw new StalledError('tunnel', 'the node owns several VXLAN devices; name one', {});
  const fdb = new Map<string, string[]>();
  for (const f of readFdb(node.nodeNs, dev.ifindex)) {
    if (f.dst !== undefined) fdb.set(f.mac, [...(fdb.get(f.mac) ?? []), f.dst]);
  }
  const neighbours = new Map(
    scan.neighbours
      .filter((n: IpNeigh) => n.dev === dev.ifname && n.lladdr !== undefined)
      .map((n) => [n.dst, n.lladdr as string]),
  );
  return { scan, dev, fdb, neighbours, external: dev.linkinfo?.info_data?.external === true };
}

export interface LiveTunnel {
  readonly scan: NodeScan;
  readonly dev: IpLink;
  /** MAC → underlay destinations. */
  readonly fdb: ReadonlyMap<string, readonly string[]>;
  /** Next hop → MAC, permanent entries on the device. */
  readonly neighbours: ReadonlyMap<string, string>;
  /** Collect-metadata device: the overlay programs set the remote per packet. */
  readonly external: boolean;
}
