import { closeSync, openSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { NetlinkError } from '../netlink-error.js';
import type { IpFdb, IpNeigh } from './ip-json.js';
import { attributes, request, type DumpSocket, type NetlinkMessage } from './netlink-dump.js';
import { AF_INET, AF_INET6, inetAddress, linkAddress, protocolName } from './ip-text.js';
import type { LinkNames } from './rtnl-links.js';

// What the node's scan reads besides links and routes: permanent neighbours,
// the nsid of each named namespace, and IPv4 forwarding.

export const RTM_GETNEIGH = 30;
const RTM_NEWNEIGH = 28;
const RTM_GETNETCONF = 82;
const RTM_GETNSID = 90;
const NDMSG = 12;
const NDA_DST = 1;
const NDA_LLADDR = 2;
const NDA_PROTOCOL = 12;
const NUD_PERMANENT = 0x80;
const NTF_PROXY = 0x08;
const NTF_EXT_LEARNED = 0x10;
const NETCONFA_IFINDEX = 1;
const NETCONFA_FORWARDING = 2;
const NETCONFA_IFINDEX_ALL = -1;
const NETNSA_NSID = 1;
const NETNSA_FD = 3;

/** RTM_GETNEIGH of every family: an empty ndmsg. */
export const neighRequest = (): Buffer => Buffer.alloc(NDMSG);

const NUD_NAMES: readonly (readonly [string, number])[] = [
  ['INCOMPLETE', 0x1],
  ['REACHABLE', 0x2],
  ['STALE', 0x4],
  ['DELAY', 0x8],
  ['PROBE', 0x10],
  ['FAILED', 0x20],
  ['NOARP', 0x40],
  ['PERMANENT', 0x80],
];

/** What `ip -j neigh show nud permanent` prints, with the fields IpNeigh holds (proxies and externally learnt entries included, as there). */
export function ipNeighbours(msgs: readonly NetlinkMessage[], names: LinkNames): IpNeigh[] {
  const out: IpNeigh[] = [];
  for (const m of msgs) {
    if (m.type !== RTM_NEWNEIGH || m.body.length < NDMSG) continue;
    const family = m.body[0] ?? 0;
    const ifindex = m.body.readInt32LE(4);
    const state = m.body.readUInt16LE(8);
    const flags = m.body[10] ?? 0;
    if ((state & NUD_PERMANENT) === 0 && (flags & (NTF_PROXY | NTF_EXT_LEARNED)) === 0) continue;
    const a = attributes(m.body, NDMSG);
    const dst = a.get(NDA_DST);
    const lladdr = a.get(NDA_LLADDR);
    const proto = a.get(NDA_PROTOCOL)?.[0] ?? 0;
    const dstText = dst === undefined ? undefined : inetAddress(family === AF_INET6 ? AF_INET6 : AF_INET, dst);
    out.push({
      ...(dstText === undefined ? {} : { dst: dstText }),
      ...(ifindex === 0 ? {} : { dev: names.get(ifindex)?.name ?? `if${ifindex}` }),
      ...(lladdr === undefined ? {} : { lladdr: linkAddress(lladdr, names.get(ifindex)?.arphrd ?? 0) }),
      ...(state === 0 ? {} : { state: NUD_NAMES.filter(([, bit]) => (state & bit) !== 0).map(([n]) => n) }),
      ...(proto === 0 ? {} : { protocol: protocolName(proto) }),
    } as IpNeigh);
  }
  return out;
}

const AF_BRIDGE = 7;
const NTF_SELF = 0x02;
const NTF_MASTER = 0x04;
const NTF_OFFLOADED = 0x20;
const NTF_STICKY = 0x40;
const NTF_ROUTER = 0x80;
const FDB_FLAGS: readonly (readonly [string, number])[] = [
  ['self', NTF_SELF],
  ['router', NTF_ROUTER],
  ['extern_learn', NTF_EXT_LEARNED],
  ['offload', NTF_OFFLOADED],
  ['master', NTF_MASTER],
  ['sticky', NTF_STICKY],
];

/** RTM_GETNEIGH of the bridge family for one device's forwarding database. */
export function fdbRequest(ifindex: number): Buffer {
  const b = Buffer.alloc(NDMSG);
  b[0] = AF_BRIDGE;
  b.writeInt32LE(ifindex, 4);
  return b;
}

function fdbState(state: number): string {
  if ((state & NUD_PERMANENT) !== 0) return 'permanent';
  if ((state & 0x40) !== 0) return 'static';
  if ((state & 0x4) !== 0) return 'stale';
  if ((state & 0x2) !== 0) return '';
  return `0x${state.toString(16)}`;
}

/** What `bridge -j fdb show dev DEV` prints, with the fields IpFdb holds. */
export function ipFdb(msgs: readonly NetlinkMessage[], ifindex: number): IpFdb[] {
  const out: IpFdb[] = [];
  for (const m of msgs) {
    if (m.type !== RTM_NEWNEIGH || m.body.length < NDMSG || m.body[0] !== AF_BRIDGE) continue;
    if (m.body.readInt32LE(4) !== ifindex) continue;
    const a = attributes(m.body, NDMSG);
    const mac = a.get(NDA_LLADDR);
    const dst = a.get(NDA_DST);
    const dstText = dst === undefined ? undefined : inetAddress(dst.length === 16 ? AF_INET6 : AF_INET, dst);
    const flags = m.body[10] ?? 0;
    out.push({
      ...(mac === undefined ? {} : { mac: linkAddress(mac, 1) }),
      ...(dstText === undefined ? {} : { dst: dstText }),
      flags: FDB_FLAGS.filter(([, bit]) => (flags & bit) !== 0).map(([n]) => n),
      state: fdbState(m.body.readUInt16LE(8)),
    } as IpFdb);
  }
  return out;
}

/** IPv4 forwarding of the socket's namespace (`all`), as `ip netconf show` gives it. */
export function ipv4Forwarding(sock: DumpSocket): boolean {
  const req = Buffer.alloc(12);
  req[0] = AF_INET;
  req.writeUInt16LE(8, 4);
  req.writeUInt16LE(NETCONFA_IFINDEX, 6);
  req.writeInt32LE(NETCONFA_IFINDEX_ALL, 8);
  const answer = request(sock, RTM_GETNETCONF, req, 'netconf');
  const fwd = attributes(answer.body, 4).get(NETCONFA_FORWARDING);
  return fwd !== undefined && fwd.readInt32LE(0) !== 0;
}

const NETNS_DIR = '/run/netns';

/**
 * nsid (as the socket's namespace numbers it) → name, for every named
 * namespace that has one there: what `ip netns list-id` pairs. A name whose
 * file holds no namespace, or that goes meanwhile, has none.
 */
export async function namedNsids(sock: DumpSocket): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const name of await readdir(NETNS_DIR).catch(() => [])) {
    let fd: number;
    try {
      fd = openSync(`${NETNS_DIR}/${name}`, 'r');
    } catch {
      continue;
    }
    try {
      const req = Buffer.alloc(12);
      req.writeUInt16LE(8, 4);
      req.writeUInt16LE(NETNSA_FD, 6);
      req.writeUInt32LE(fd, 8);
      const nsid = attributes(request(sock, RTM_GETNSID, req, 'nsid').body, 4)
        .get(NETNSA_NSID)
        ?.readInt32LE(0);
      if (nsid !== undefined && nsid >= 0 && !out.has(nsid)) out.set(nsid, name);
    } catch (e) {
      if (!(e instanceof NetlinkError && e.code === 'NETLINK_KERNEL_ERROR')) throw e;
    } finally {
      closeSync(fd);
    }
  }
  return out;
}
