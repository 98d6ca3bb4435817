import { constants } from 'node:os';
import { NetlinkCallError, NetlinkSocket } from '../../netlink/index.js';
import { NetlinkError } from '../netlink-error.js';
import type { IpFdb, IpLink, IpNeigh, IpRoute } from './ip-json.js';
import { dump } from './netlink-dump.js';
import {
  addrRequest,
  ipLinks,
  linkNames,
  linkRequest,
  RTM_GETADDR,
  RTM_GETLINK,
  type LinkNames,
} from './rtnl-links.js';
import {
  fdbRequest,
  ipFdb,
  ipNeighbours,
  ipv4Forwarding,
  namedNsids,
  neighRequest,
  RTM_GETNEIGH,
} from './rtnl-node.js';
import { ipRoutes, routeRequest, RTM_GETROUTE } from './rtnl-routes.js';

const NETLINK_ROUTE = 0;
const ENOENT = constants.errno.ENOENT;

export interface NetnsRead {
  readonly links: IpLink[];
  readonly routes: IpRoute[];
}

export interface NodeRead extends NetnsRead {
  readonly neighbours: IpNeigh[];
  readonly nsNames: Map<number, string>;
  readonly forwarding: boolean;
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
  const sock = openIn(name);
  try {
    const { links, routes } = linksAndRoutes(sock);
    return { links, routes };
  } catch (e) {
    throw callFailed(e, name);
  } finally {
    sock.close();
  }
}

/**
 * Reads the node's namespace (null: this process's) the same way, with what
 * its scan needs besides: permanent neighbours, the nsid of each named
 * namespace, IPv4 forwarding.
 */
export async function readNode(nodeNs: string | null): Promise<NodeRead> {
  const sock = openIn(nodeNs);
  try {
    const { links, routes, names } = linksAndRoutes(sock);
    const neighbours = ipNeighbours(dump(sock, RTM_GETNEIGH, neighRequest(), 'neighbour'), names);
    const forwarding = ipv4Forwarding(sock);
    return { links, routes, neighbours, forwarding, nsNames: await namedNsids(sock) };
  } catch (e) {
    throw callFailed(e, nodeNs ?? 'of this process');
  } finally {
    sock.close();
  }
}

/** The forwarding database of one device of the node's namespace (a VXLAN device's remotes). */
export function readFdb(nodeNs: string | null, ifindex: number): IpFdb[] {
  const sock = openIn(nodeNs);
  try {
    return ipFdb(dump(sock, RTM_GETNEIGH, fdbRequest(ifindex), 'fdb'), ifindex);
  } catch (e) {
    throw callFailed(e, nodeNs ?? 'of this process');
  } finally {
    sock.close();
  }
}

function openIn(netns: string | null): NetlinkSocket {
  try {
    return NetlinkSocket.open(NETLINK_ROUTE, netns);
  } catch (e) {
    throw callFailed(e, netns ?? 'of this process');
  }
}

function linksAndRoutes(sock: NetlinkSocket): NetnsRead & { readonly names: LinkNames } {
  const links = dump(sock, RTM_GETLINK, linkRequest(), 'link');
  const addrs = dump(sock, RTM_GETADDR, addrRequest(), 'address');
  // A namespace without a route of its own has no main table yet: the filtered dump answers ENOENT.
  const routes = dump(sock, RTM_GETROUTE, routeRequest(), 'route', ENOENT);
  const names = linkNames(links);
  return { links: ipLinks(links, addrs), routes: ipRoutes(routes, names), names };
}

/** A failed socket or namespace call as a NetlinkError; NETLINK_NETNS_ABSENT when the namespace is not there. */
function callFailed(e: unknown, netns: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (e instanceof NetlinkError || typeof code !== 'string') return e;
  const syscall = e instanceof NetlinkCallError ? e.syscall : 'open';
  // ENOENT: no such name; EINVAL from open or setns: no namespace on that file (or a name that cannot be one).
  const absent = code === 'ENOENT' || (code === 'EINVAL' && (syscall === 'open' || syscall === 'setns'));
  const data = { netns, errno: code, syscall };
  return new NetlinkError(
    absent ? 'NETLINK_NETNS_ABSENT' : 'NETLINK_CALL_FAILED',
    `netns ${netns} read`,
    String(e),
    data,
  );
}
