import { constants } from 'node:os';
import { NetlinkSocket, SocketCallError } from '../../libbpf/index.js';
import { NetlinkError } from '../netlink-error.js';
import type { IpLink, IpRoute } from './ip-json.js';
import { dump } from './netlink-dump.js';
import { addrRequest, ipLinks, linkNames, linkRequest, RTM_GETADDR, RTM_GETLINK } from './rtnl-links.js';
import { ipRoutes, routeRequest, RTM_GETROUTE } from './rtnl-routes.js';

const NETLINK_ROUTE = 0;
const ENOENT = constants.errno.ENOENT;

export interface NetnsRead {
  readonly links: IpLink[];
  readonly routes: IpRoute[];
}

/**
 * Reads a named namespace's links with their addresses and its main routing
 * table over rtnetlink, from this process: what `ip -d -j addr show` and
 * `ip -d -j route show table main` print there, without running them. A name
 * that does not exist, or whose file holds no namespace, throws
 * NETLINK_NETNS_ABSENT. Once open, the socket keeps the namespace alive, so
 * one deleted meanwhile is still read whole.
 */
export function readNetns(name: string): NetnsRead {
  let sock: NetlinkSocket;
  try {
    sock = NetlinkSocket.open(NETLINK_ROUTE, name);
  } catch (e) {
    throw callFailed(e, name);
  }
  try {
    const links = dump(sock, RTM_GETLINK, linkRequest(), 'link');
    const addrs = dump(sock, RTM_GETADDR, addrRequest(), 'address');
    // A namespace without a route of its own has no main table yet: the filtered dump answers ENOENT.
    const routes = dump(sock, RTM_GETROUTE, routeRequest(), 'route', ENOENT);
    return { links: ipLinks(links, addrs), routes: ipRoutes(routes, linkNames(links)) };
  } catch (e) {
    throw callFailed(e, name);
  } finally {
    sock.close();
  }
}

function callFailed(e: unknown, netns: string): unknown {
  if (e instanceof NetlinkError) return e;
  const code = (e as { code?: unknown }).code;
  const syscall = e instanceof SocketCallError ? e.syscall : 'open';
  // ENOENT: no such name; EINVAL from open or setns: no namespace on that file (or a name that cannot be one).
  const absent = code === 'ENOENT' || (code === 'EINVAL' && (syscall === 'open' || syscall === 'setns'));
  if (typeof code !== 'string') return e;
  return new NetlinkError(
    absent ? 'NETLINK_NETNS_ABSENT' : 'NETLINK_CALL_FAILED',
    `netns ${netns} read`,
    (e as Error).message,
    {
      netns,
      errno: code,
      syscall,
    },
  );
}
