import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetNode } from '../net-node.js';
import type { IpLink, IpNeigh, IpRoute } from './ip-json.js';
import { readNetns, readNode } from './netns-read.js';
import { protocolName } from './ip-text.js';
import { NetlinkError } from '../netlink-error.js';
import { GITWIRE_ROUTE_PROTO, GITWIRE_ROUTE_PROTO_ANY_DEV, ownerMark } from './ownership.js';

/** What one read of the node namespace returns: links with addresses, gitwire's routes, nsids, forwarding. */
export interface NodeScan {
  readonly links: readonly IpLink[];
  /** Routes of the main table carrying gitwire's protocol number. */
  readonly routes: readonly IpRoute[];
  /** gitwire's routes whose device was left to the kernel. */
  readonly anyDevRoutes: readonly IpRoute[];
  /** Every route of the main table, to spot a prefix held by someone else. */
  readonly allRoutes: readonly IpRoute[];
  readonly neighbours: readonly IpNeigh[];
  /** nsid (as the node namespace numbers it) → netns name. */
  readonly nsNames: ReadonlyMap<number, string>;
  readonly forwarding: boolean;
}

/** Reads the node's namespace over rtnetlink, from this process. */
export async function scanNode(node: NetNode): Promise<NodeScan> {
  const { links, routes, neighbours, nsNames, forwarding } = await readNode(node.nodeNs);
  const byProto = (proto: number) => routes.filter((r) => r.protocol === protocolName(proto));
  return {
    links,
    routes: byProto(GITWIRE_ROUTE_PROTO),
    anyDevRoutes: byProto(GITWIRE_ROUTE_PROTO_ANY_DEV),
    allRoutes: routes,
    neighbours,
    nsNames,
    forwarding,
  };
}

/** What one read of an endpoint namespace returns. */
export interface NetnsScan {
  readonly name: string;
  readonly links: readonly IpLink[];
  readonly routes: readonly IpRoute[];
  /** `lo` carries the owner mark of the node that created the namespace. */
  readonly owner: string | null;
}

/** Reads one named namespace over rtnetlink; throws NETLINK_NETNS_ABSENT if it is not there. */
export function scanNetns(name: string): NetnsScan {
  const { links, routes } = readNetns(name);
  return netnsScan(name, links, routes);
}

function netnsScan(name: string, links: IpLink[], routes: IpRoute[]): NetnsScan {
  const alias = links.find((l) => l.ifname === 'lo')?.ifalias;
  return { name, links, routes, owner: alias?.startsWith('gitwire:') ? alias.slice('gitwire:'.length) : null };
}

/**
 * Names under /run/netns that are files but no namespace: what a kill inside
 * `ip netns add` (between creating the file and bind-mounting the namespace
 * on it) or `ip netns del` (between unmounting and unlinking) leaves. Such a
 * file blocks `netns add` of its name and every `ip -n` into it fails; only
 * `netns del` removes it. A mounted namespace file lives on nsfs, so its
 * device differs from the directory's.
 */
export async function unmountedNetns(names: readonly string[]): Promise<string[]> {
  let dir: number;
  try {
    dir = (await stat(NETNS_DIR)).dev;
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const file = await stat(join(NETNS_DIR, name)).catch(() => null);
    if (file?.isFile() === true && file.dev === dir) out.push(name);
  }
  return out;
}

const NETNS_DIR = '/run/netns';

/** The named namespaces: what `ip netns list` prints, read from its directory without running it (every pass lists them). */
export async function listNetns(): Promise<string[]> {
  return readdir(NETNS_DIR).catch(() => []);
}

/**
 * Reads every netns the node owns. Ownership lives inside the namespace (the
 * `lo` alias), so every namespace on the machine is read once; one that
 * vanishes while being read is simply not ours any more.
 */
export async function scanOwnedNetns(node: NetNode): Promise<Map<string, NetnsScan>> {
  const names = (await listNetns()).filter((n) => n !== node.nodeNs);
  const scans = scanNamed(names);
  return new Map([...scans].filter(([, s]) => s.owner === node.owner));
}

/**
 * Reads the given namespaces, skipping any that are not there (deleted since
 * they were listed, or a file left without its namespace). Each is a few
 * netlink dumps from this process: no iproute2 process per namespace.
 */
export function scanNamed(names: Iterable<string>): Map<string, NetnsScan> {
  const out = new Map<string, NetnsScan>();
  for (const name of new Set(names)) {
    try {
      out.set(name, scanNetns(name));
    } catch (e) {
      if (!(e instanceof NetlinkError && e.code === 'NETLINK_NETNS_ABSENT')) throw e;
    }
  }
  return out;
}

/** Links of the node namespace gitwire owns. */
export const ownedLinks = (scan: NodeScan, node: NetNode): IpLink[] =>
  scan.links.filter((l) => l.ifalias === ownerMark(node.owner));
