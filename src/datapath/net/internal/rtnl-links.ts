import type { IpAddrInfo, IpLink } from './ip-json.js';
import { attributes, attrString, type NetlinkMessage } from './netlink-dump.js';
import { AF_INET, AF_INET6, inet4, inetAddress, linkAddress, linkFlags, operState, scopeName } from './ip-text.js';

export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_GETADDR = 22;

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_OPERSTATE = 16;
const IFLA_LINKINFO = 18;
const IFLA_IFALIAS = 20;
const IFLA_EXT_MASK = 29;
const IFLA_LINK_NETNSID = 37;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFINFOMSG = 16;
const IFF_UP = 0x1;
const IFADDRMSG = 8;
// Counters are not read: asking the kernel to leave them out makes each link a third of the size.
const RTEXT_FILTER_SKIP_STATS = 1 << 3;

/** RTM_GETLINK of every link: an empty ifinfomsg and IFLA_EXT_MASK. */
export function linkRequest(): Buffer {
  const b = Buffer.alloc(IFINFOMSG + 8);
  b.writeUInt16LE(8, IFINFOMSG);
  b.writeUInt16LE(IFLA_EXT_MASK, IFINFOMSG + 2);
  b.writeUInt32LE(RTEXT_FILTER_SKIP_STATS, IFINFOMSG + 4);
  return b;
}

/** RTM_GETADDR of every family: an empty ifaddrmsg. */
export const addrRequest = (): Buffer => Buffer.alloc(IFADDRMSG);

interface RawLink {
  readonly index: number;
  readonly arphrd: number;
  readonly flags: number;
  readonly attrs: Map<number, Buffer>;
}

/** ifindex → name and flags of the namespace's links, for routes' devices and stacked links. */
export type LinkNames = ReadonlyMap<number, { readonly name: string; readonly flags: number; readonly arphrd: number }>;

export function linkNames(links: readonly NetlinkMessage[]): LinkNames {
  return new Map(rawLinks(links).map((l) => [l.index, { name: nameOf(l), flags: l.flags, arphrd: l.arphrd }]));
}

/**
 * What `ip -d -j addr show` prints of each link, in the kernel's order, with
 * the fields IpLink holds. `linkinfo.info_data` is read for the tunnel kinds
 * gitwire creates, with the keys it reads (see tunnelData).
 */
export function ipLinks(links: readonly NetlinkMessage[], addrs: readonly NetlinkMessage[]): IpLink[] {
  const raw = rawLinks(links);
  const names: LinkNames = new Map(raw.map((l) => [l.index, { name: nameOf(l), flags: l.flags, arphrd: l.arphrd }]));
  const addrInfo = addressesByLink(addrs);
  return raw.map((l) => {
    const a = l.attrs;
    // A stacked link (veth, vlan) names the link below it: by ifindex and nsid in another namespace, by name in this one.
    const iflink = a.get(IFLA_LINK)?.readUInt32LE(0);
    const netnsid = a.get(IFLA_LINK_NETNSID)?.readInt32LE(0);
    const below = iflink === undefined || iflink === 0 || netnsid !== undefined ? undefined : iflink;
    const lower = below === undefined ? undefined : names.get(below);
    const kind = a.get(IFLA_LINKINFO);
    const address = a.get(IFLA_ADDRESS);
    const operstate = a.get(IFLA_OPERSTATE);
    const ifalias = a.get(IFLA_IFALIAS);
    const mtu = a.get(IFLA_MTU);
    return {
      ifindex: l.index,
      ifname: nameOf(l),
      flags: linkFlags(l.flags, below !== undefined && ((lower?.flags ?? 0) & IFF_UP) === 0),
      ...(mtu === undefined ? {} : { mtu: mtu.readUInt32LE(0) }),
      ...(address === undefined ? {} : { address: linkAddress(address, l.arphrd) }),
      ...(operstate === undefined || operState(operstate[0] ?? 0) === undefined
        ? {}
        : { operstate: operState(operstate[0] ?? 0) }),
      ...(ifalias === undefined ? {} : { ifalias: attrString(ifalias) }),
      ...(iflink !== undefined && iflink !== 0 && netnsid !== undefined ? { link_index: iflink } : {}),
      ...(netnsid === undefined ? {} : { link_netnsid: netnsid }),
      ...(iflink === 0 ? { link: null } : below === undefined ? {} : { link: lower?.name ?? `if${below}` }),
      ...(kind === undefined ? {} : { linkinfo: linkInfo(attributes(kind, 0)) }),
      addr_info: addrInfo.get(l.index) ?? [],
    } as IpLink;
  });
}

function linkInfo(info: Map<number, Buffer>): IpLink['linkinfo'] {
  const kind = info.get(IFLA_INFO_KIND);
  if (kind === undefined) return {};
  const name = attrString(kind);
  const data = info.get(IFLA_INFO_DATA);
  const parsed = tunnelData(name, data === undefined ? new Map() : attributes(data, 0));
  return { info_kind: name, ...(parsed === undefined ? {} : { info_data: parsed }) };
}

const VXLAN = { id: 1, local: 4, learning: 7, port: 15, external: 25 };
const GENEVE = { id: 1, port: 5, external: 6 };

/** The VXLAN and GENEVE parameters gitwire reads, keyed and written as iproute2 prints them. */
function tunnelData(kind: string, d: Map<number, Buffer>): Record<string, unknown> | undefined {
  const u32 = (t: number) => ((d.get(t)?.length ?? 0) >= 4 ? d.get(t)?.readUInt32LE(0) : undefined);
  const port = (t: number) => ((d.get(t)?.length ?? 0) >= 2 ? d.get(t)?.readUInt16BE(0) : undefined);
  if (kind === 'vxlan') {
    const local = d.get(VXLAN.local);
    const learning = d.get(VXLAN.learning);
    return {
      ...(d.get(VXLAN.external)?.[0] ? { external: true } : {}),
      ...(u32(VXLAN.id) === undefined ? {} : { id: u32(VXLAN.id) }),
      ...(local === undefined || local.length < 4 || local.readUInt32LE(0) === 0 ? {} : { local: inet4(local) }),
      ...(port(VXLAN.port) === undefined ? {} : { port: port(VXLAN.port) }),
      ...(learning === undefined ? {} : { learning: learning[0] !== 0 }),
    };
  }
  if (kind === 'geneve') {
    return {
      ...(d.has(GENEVE.external) ? { external: true } : {}),
      ...(u32(GENEVE.id) === undefined ? {} : { id: u32(GENEVE.id) }),
      ...(port(GENEVE.port) === undefined ? {} : { port: port(GENEVE.port) }),
    };
  }
  return undefined;
}

function rawLinks(links: readonly NetlinkMessage[]): RawLink[] {
  return links
    .filter((m) => m.type === RTM_NEWLINK && m.body.length >= IFINFOMSG)
    .map((m) => ({
      index: m.body.readInt32LE(4),
      arphrd: m.body.readUInt16LE(2),
      flags: m.body.readUInt32LE(8),
      attrs: attributes(m.body, IFINFOMSG),
    }));
}

function nameOf(l: RawLink): string {
  const name = l.attrs.get(IFLA_IFNAME);
  return name === undefined ? `if${l.index}` : attrString(name);
}

/** IPv4 and IPv6 addresses per ifindex, in the kernel's order; `local` is IFA_LOCAL, or IFA_ADDRESS without one. */
function addressesByLink(addrs: readonly NetlinkMessage[]): Map<number, IpAddrInfo[]> {
  const out = new Map<number, IpAddrInfo[]>();
  for (const m of addrs) {
    if (m.type !== RTM_NEWADDR || m.body.length < IFADDRMSG) continue;
    const family = m.body[0] ?? 0;
    if (family !== AF_INET && family !== AF_INET6) continue;
    const a = attributes(m.body, IFADDRMSG);
    const raw = a.get(IFA_LOCAL) ?? a.get(IFA_ADDRESS);
    const local = raw === undefined ? undefined : inetAddress(family, raw);
    if (local === undefined) continue;
    const index = m.body.readUInt32LE(4);
    const info: IpAddrInfo = {
      family: family === AF_INET ? 'inet' : 'inet6',
      local,
      prefixlen: m.body[1] ?? 0,
      scope: scopeName(m.body[3] ?? 0),
    };
    out.set(index, [...(out.get(index) ?? []), info]);
  }
  return out;
}
