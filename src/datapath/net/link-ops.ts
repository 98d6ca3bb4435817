import { IpOps } from './internal/ip-ops.js';
import type { Entry, LinkValue } from '../../desired/desired-state.js';
import { NotSupportedError } from './not-supported-error.js';
import { StalledError } from './stalled-error.js';
import type { NetNode } from './net-node.js';
import { geneveSupported } from './internal/geneve-probe.js';
import type { IpLink } from './internal/ip-json.js';
import { listNetns, ownedLinks, scanNamed, scanNode, type NetnsScan, type NodeScan } from './internal/node-scan.js';
import { ipLine } from './internal/ip-runner.js';
import { ownerMark } from './internal/ownership.js';
import { vtepMac } from './internal/vtep.js';

const VXLAN_PORT = 4789;
const GENEVE_PORT = 6081;

/**
 * Drives the node's links: veth pairs (host side in the node namespace, peer
 * created directly inside the endpoint's namespace, which this driver creates
 * and marks as the node's, see NetnsOps) and tunnel devices. VXLAN devices are created with `nolearning` and a
 * MAC derived from the local underlay address, so remote nodes can program
 * their FDB statically; a VXLAN link without VNI is collect-metadata
 * (`external`): the overlay programs set the remote and VNI (the sender's
 * identity) per packet and the device holds no FDB. Geneve devices are collect-metadata (`external`):
 * Linux geneve has no FDB, so the VNI and remote are set per packet by the
 * datapath program and the device itself holds no VNI (observed as null). Parameters the kernel cannot change in place (kind,
 * VNI, port, local, peer) make update replace the device.
 */
export class LinkOps extends IpOps<LinkValue> {
  async updateMany(entries: readonly Entry<LinkValue>[]): Promise<void> {
    if (entries.some((e) => e.value.kind === 'geneve') && !(await geneveSupported())) {
      throw new NotSupportedError(
        'geneve tunnel device',
        'CONFIG_GENEVE',
        'ip link add type geneve: unknown device type',
      );
    }
    for (const { key, value: v } of entries) {
      const complete = v.kind === 'veth' ? v.peerName : v.kind === 'vxlan' ? v.local : v.vni !== null;
      if (!complete) throw new StalledError('link update', `${v.kind} link ${key} lacks its peer or tunnel parameters`);
    }
    const peers = [
      ...new Set(entries.flatMap((e) => (e.value.kind === 'veth' && e.value.peerNetns ? [e.value.peerNetns] : []))),
    ];
    const existing = new Set(await listNetns());
    const scan = await scanNode(this.node);
    // A namespace that does not exist yet will hold only a down, unmarked lo: nothing to read.
    const peerScans = scanNamed(peers.filter((n) => existing.has(n)));
    const mark = ownerMark(this.node.owner);
    for (const ns of peerScans.values()) {
      if (ns.owner !== this.node.owner && !isUnmarkedOwn(ns, scan, mark)) {
        throw new StalledError('link update', `netns ${ns.name} exists and is not gitwire's (${this.node.owner})`, {
          netns: ns.name,
        });
      }
    }
    for (const { value: want } of entries) {
      const live = scan.links.find((l) => l.ifname === want.name);
      if (live !== undefined && live.ifalias !== mark && !isCrashTrace(live, want, scan)) {
        throw new StalledError('link update', `link ${want.name} exists and is not gitwire's`, { link: want.name });
      }
    }
    await this.ip.write(
      null,
      peers.filter((n) => !existing.has(n)).map((n) => ipLine`netns add ${n}`),
    );

    const node: string[] = [];
    const inPeers = new Map<string, string[]>();
    const inPeer = (ns: string, line: string) => inPeers.set(ns, [...(inPeers.get(ns) ?? []), line]);
    for (const { value: want } of entries) {
      const live = scan.links.find((l) => l.ifname === want.name);
      const have = live === undefined ? null : toLinkValue(live, scan, peerScans);
      if (live === undefined || have === null || !sameDevice(have, want)) {
        if (live !== undefined) node.push(ipLine`link del dev ${want.name}`);
        node.push(createLine(want), ipLine`link set dev ${want.name} alias ${mark} up`);
        if (sameNetnsPair(want)) node.push(...pairLines(want, mark));
        continue;
      }
      if (live.ifalias !== mark) node.push(ipLine`link set dev ${want.name} alias ${mark}`);
      if (live.mtu !== want.mtu) node.push(ipLine`link set dev ${want.name} mtu ${want.mtu}`);
      if (!live.flags.includes('UP')) node.push(ipLine`link set dev ${want.name} up`);
      const peer = want.kind === 'veth' ? findPeer(live, peerScans.get(want.peerNetns ?? '')) : undefined;
      if (peer !== undefined && peer.mtu !== want.mtu) {
        inPeer(want.peerNetns ?? '', ipLine`link set dev ${peer.ifname} mtu ${want.mtu}`);
      }
      const pair = sameNetnsPair(want) ? scan.links.find((l) => l.ifname === want.peerName) : undefined;
      if (pair !== undefined && pair.mtu !== want.mtu) node.push(ipLine`link set dev ${pair.ifname} mtu ${want.mtu}`);
      // A kill part-way through making the pair leaves an end unmarked, down or with ARP: finish it in place, keeping its route.
      if (pair !== undefined && !pairFinished(live, pair, mark)) node.push(...pairLines(want, mark));
    }
    // lo is marked last: a marked namespace always holds gitwire's veth, so
    // observe() finds every owned namespace from the node's veths alone.
    for (const name of peers) {
      const lo = peerScans.get(name)?.links.find((l) => l.ifname === 'lo');
      if (lo?.ifalias !== mark || !lo.flags.includes('UP')) inPeer(name, ipLine`link set dev lo up alias ${mark}`);
    }
    await this.ip.write(this.node.nodeNs, node);
    await this.ip.writeEach([...inPeers]);
  }

  async deleteMany(entries: readonly Entry<LinkValue>[]): Promise<void> {
    const links = ownedLinks(await scanNode(this.node), this.node);
    // A pair end observed alone is kept once this apply has marked its other end: the pair is desired again.
    const owned = new Set(links.filter((l) => !isPairPeer(l, links)).map((l) => l.ifname));
    const gone = entries.filter((e) => owned.has(e.value.name)).map((e) => ipLine`link del dev ${e.value.name}`);
    await this.ip.remove(this.node.nodeNs, gone);
  }

  async prune(allDesired: readonly Entry<LinkValue>[]): Promise<void> {
    const keep = new Set(allDesired.flatMap((e) => [e.value.name, ...pairPeer(e.value)]));
    const owned = ownedLinks(await scanNode(this.node), this.node).filter((l) => linkKind(l) !== null);
    const gone = owned.filter((l) => !keep.has(l.ifname)).map((l) => ipLine`link del dev ${l.ifname}`);
    await this.ip.remove(this.node.nodeNs, gone);
  }

  async observe(): Promise<Entry<LinkValue>[]> {
    const scan = await scanNode(this.node);
    const peerNs = ownedLinks(scan, this.node).flatMap((l) =>
      l.link_netnsid === undefined ? [] : [scan.nsNames.get(l.link_netnsid) ?? ''],
    );
    return observedLinks(this.node, scan, scanNamed(peerNs.filter((n) => n !== '')));
  }
}

/** Link entries from one read of the node and of the namespaces its veths lead into. */
export function observedLinks(
  node: NetNode,
  scan: NodeScan,
  peers: ReadonlyMap<string, NetnsScan>,
): Entry<LinkValue>[] {
  const owned = ownedLinks(scan, node);
  return owned
    .filter((l) => !isPairPeer(l, owned))
    .map((l) => toLinkValue(l, scan, peers))
    .filter((v): v is LinkValue => v !== null)
    .map((value) => ({ key: value.name, value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A veth pair with both ends in the node's namespace (peerNetns null), such as the host device gw_host. */
const sameNetnsPair = (v: LinkValue): boolean => v.kind === 'veth' && v.peerNetns === null && v.peerName !== null;

const pairPeer = (v: LinkValue): string[] => (sameNetnsPair(v) ? [v.peerName ?? ''] : []);

/** Both ends without ARP: the host's packets to a routed prefix leave without a neighbour to resolve. */
function pairLines(v: LinkValue, mark: string): string[] {
  return [ipLine`link set dev ${v.name} arp off`, ipLine`link set dev ${v.peerName ?? ''} alias ${mark} arp off up`];
}

/**
 * The end of a same-namespace pair that the entry of its other end stands
 * for: the pair is one entry, named after the end whose name sorts first.
 * Alone marked (a kill), this end is its own entry, which a commit without
 * the pair deletes, pair and all.
 */
function isPairPeer(l: IpLink, owned: readonly IpLink[]): boolean {
  if (linkKind(l) !== 'veth' || l.link === undefined || l.link === null) return false;
  return l.link < l.ifname && owned.some((o) => o.ifname === l.link);
}

/** Both ends of a same-namespace pair marked, up and without ARP, as pairLines leaves them. */
function pairFinished(host: IpLink, peer: IpLink, mark: string): boolean {
  return [host, peer].every((l) => l.ifalias === mark && l.flags.includes('UP') && l.flags.includes('NOARP'));
}

function createLine(v: LinkValue): string {
  const head = ipLine`link add ${v.name} mtu ${v.mtu}`;
  switch (v.kind) {
    case 'veth':
      // Both ends made without ARP at once: a pair left by a kill before pairLines never ARPs for a service address.
      if (v.peerNetns === null)
        return head + ipLine` arp off type veth peer name ${v.peerName ?? ''} mtu ${v.mtu} arp off`;
      return head + ipLine` type veth peer name ${v.peerName ?? ''} mtu ${v.mtu} netns ${v.peerNetns ?? ''}`;
    case 'vxlan':
      return (
        `${head} address ${vtepMac(v.local ?? '')} type vxlan ${v.vni === null ? 'external' : `id ${v.vni}`}` +
        ` dstport ${v.port ?? VXLAN_PORT} local ${v.local} nolearning`
      );
    case 'geneve':
      return `${head} type geneve dstport ${v.port ?? GENEVE_PORT} external`;
  }
}

/** Same kind and same parameters that only a re-creation can change. */
function sameDevice(have: LinkValue, want: LinkValue): boolean {
  return (
    have.kind === want.kind &&
    (have.vni === want.vni || want.kind === 'geneve') &&
    have.port === (want.port ?? defaultPort(want)) &&
    have.local === want.local &&
    have.peerNetns === want.peerNetns &&
    have.peerName === want.peerName
  );
}

const defaultPort = (v: LinkValue): number | null =>
  v.kind === 'vxlan' ? VXLAN_PORT : v.kind === 'geneve' ? GENEVE_PORT : null;

function linkKind(l: IpLink): LinkValue['kind'] | null {
  const k = l.linkinfo?.info_kind;
  return k === 'veth' || k === 'vxlan' || k === 'geneve' ? k : null;
}

/**
 * An unmarked link that gitwire itself left by crashing between `link add` and
 * marking: a veth into the namespace it was declared with, or a VXLAN device
 * with the MAC gitwire derives. Anything else of that name is someone else's.
 */
function isCrashTrace(l: IpLink, want: LinkValue, scan: NodeScan): boolean {
  if (l.ifalias !== undefined || linkKind(l) !== want.kind) return false;
  if (want.kind === 'veth' && want.peerNetns === null) return l.link === want.peerName;
  if (want.kind === 'veth') return l.link_netnsid !== undefined && scan.nsNames.get(l.link_netnsid) === want.peerNetns;
  return want.kind === 'vxlan' && l.address === vtepMac(want.local ?? '');
}

/**
 * A namespace gitwire created but had not marked yet when it stopped: `lo`
 * without alias, and nothing in it but peers of the node's gitwire veths.
 */
function isUnmarkedOwn(ns: NetnsScan, scan: NodeScan, mark: string): boolean {
  const lo = ns.links.find((l) => l.ifname === 'lo');
  if (lo === undefined || lo.ifalias !== undefined) return false;
  return ns.links.every(
    (p) =>
      p.ifname === 'lo' ||
      scan.links.some(
        (h) =>
          h.ifalias === mark &&
          h.link_index === p.ifindex &&
          h.link_netnsid !== undefined &&
          scan.nsNames.get(h.link_netnsid) === ns.name,
      ),
  );
}

/** A collect-metadata device (geneve, external VXLAN) holds no VNI; a broken external one reads as 0, so it differs. */
function observedVni(kind: LinkValue['kind'], d: Record<string, unknown>, intact: boolean): number | null {
  if (kind !== 'vxlan' || d.external === true) return intact ? null : 0;
  return intact && typeof d.id === 'number' ? d.id : null;
}

function findPeer(host: IpLink | undefined, peerNs: NetnsScan | undefined): IpLink | undefined {
  return peerNs?.links.find((p) => p.ifindex === host?.link_index);
}

/**
 * The link as the kernel holds it. A veth whose two ends disagree on MTU
 * reports MTU 0, so that plan() sees a difference whichever end drifted; so
 * does a same-namespace pair not finished (an end unmarked, down or ARPing). A
 * VXLAN device with learning on, or a MAC not derived from its local address,
 * reports no VNI, for the same reason.
 */
function toLinkValue(l: IpLink, scan: NodeScan, peers: ReadonlyMap<string, NetnsScan>): LinkValue | null {
  const kind = linkKind(l);
  if (kind === null) return null;
  const base = {
    name: l.ifname,
    kind,
    mtu: l.mtu,
    vni: null,
    port: null,
    local: null,
    peerNetns: null,
    peerName: null,
  };
  if (kind === 'veth' && l.link !== undefined) {
    const peer = scan.links.find((p) => p.ifname === l.link);
    const intact = peer !== undefined && peer.mtu === l.mtu && pairFinished(l, peer, l.ifalias ?? '');
    return { ...base, mtu: peer === undefined || intact ? l.mtu : 0, peerName: peer?.ifname ?? null };
  }
  if (kind === 'veth') {
    const ns = l.link_netnsid === undefined ? undefined : scan.nsNames.get(l.link_netnsid);
    const peer = findPeer(l, ns === undefined ? undefined : peers.get(ns));
    return {
      ...base,
      mtu: peer === undefined || peer.mtu === l.mtu ? l.mtu : 0,
      peerNetns: ns ?? null,
      peerName: peer?.ifname ?? null,
    };
  }
  const d = l.linkinfo?.info_data ?? {};
  const local = typeof d.local === 'string' ? d.local : null;
  const intact = kind !== 'vxlan' || (d.learning === false && l.address === vtepMac(local ?? ''));
  return {
    ...base,
    vni: observedVni(kind, d, intact),
    port: typeof d.port === 'number' ? d.port : null,
    local,
  };
}
