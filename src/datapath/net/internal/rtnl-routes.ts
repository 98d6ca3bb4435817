import type { IpRoute } from './ip-json.js';
import { attributes, type NetlinkMessage } from './netlink-dump.js';
import { AF_INET, inet4, protocolName, routeFlags, routeTypeName, scopeName } from './ip-text.js';
import type { LinkNames } from './rtnl-links.js';

export const RTM_NEWROUTE = 24;
export const RTM_GETROUTE = 26;

const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PREFSRC = 7;
const RTA_METRICS = 8;
const RTA_TABLE = 15;
const RTAX_MTU = 2;
const RTMSG = 12;
const RT_TABLE_MAIN = 254;
const RTM_F_CLONED = 0x200;

/** RTM_GETROUTE of the IPv4 main table; a kernel without strict checking dumps every table, filtered below. */
export function routeRequest(): Buffer {
  const b = Buffer.alloc(RTMSG + 8);
  b[0] = AF_INET;
  b.writeUInt16LE(8, RTMSG);
  b.writeUInt16LE(RTA_TABLE, RTMSG + 2);
  b.writeUInt32LE(RT_TABLE_MAIN, RTMSG + 4);
  return b;
}

/** What `ip -d -j route show table main` prints of each route, with the fields IpRoute holds (of the metrics, the MTU). */
export function ipRoutes(routes: readonly NetlinkMessage[], names: LinkNames): IpRoute[] {
  const out: IpRoute[] = [];
  for (const m of routes) {
    if (m.type !== RTM_NEWROUTE || m.body.length < RTMSG || m.body[0] !== AF_INET) continue;
    const b = m.body;
    const a = attributes(b, RTMSG);
    const flags = b.readUInt32LE(8);
    const table = a.get(RTA_TABLE)?.readUInt32LE(0) ?? b[4];
    if (table !== RT_TABLE_MAIN || (flags & RTM_F_CLONED) !== 0) continue;
    const dstLen = b[1] ?? 0;
    const dst = a.get(RTA_DST);
    const gateway = a.get(RTA_GATEWAY);
    const oif = a.get(RTA_OIF)?.readUInt32LE(0);
    const prefsrc = a.get(RTA_PREFSRC);
    const mtu =
      a.get(RTA_METRICS) === undefined ? undefined : attributes(a.get(RTA_METRICS) as Buffer, 0).get(RTAX_MTU);
    out.push({
      type: routeTypeName(b[7] ?? 0),
      dst: dst === undefined ? 'default' : dstLen === 32 ? inet4(dst) : `${inet4(dst)}/${dstLen}`,
      ...(gateway === undefined ? {} : { gateway: inet4(gateway) }),
      ...(oif === undefined ? {} : { dev: names.get(oif)?.name ?? `if${oif}` }),
      protocol: protocolName(b[5] ?? 0),
      scope: scopeName(b[6] ?? 0),
      ...(prefsrc === undefined ? {} : { prefsrc: inet4(prefsrc) }),
      flags: routeFlags(flags),
      ...(mtu === undefined ? {} : { metrics: [{ mtu: mtu.readUInt32LE(0) }] }),
    });
  }
  return out;
}
