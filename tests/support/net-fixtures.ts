import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { EndpointValue, Entry, LinkValue, RouteValue, TunnelValue } from '../../src/desired/desired-state.js';
import { EndpointOps, LinkOps, RouteOps, TunnelOps, type NetNode } from '../../src/datapath/net/index.js';

const exec = promisify(execFile);

/** Every namespace a net test creates starts with this, so cleanup finds them even after a failure. */
export const NS_PREFIX = `gwn-${process.pid}-`;

export const nsName = (suffix: string): string => `${NS_PREFIX}${suffix}`;

export async function sh(cmd: string, ...args: string[]): Promise<string> {
  return (await exec(cmd, args)).stdout;
}

export async function ipIn(ns: string, ...args: string[]): Promise<string> {
  return sh('ip', '-n', ns, ...args);
}

export async function ipJson<T>(ns: string, ...args: string[]): Promise<T> {
  return JSON.parse(await ipIn(ns, '-j', ...args)) as T;
}

export async function netnsNames(): Promise<string[]> {
  const out = (await sh('ip', '-j', 'netns', 'list')).trim();
  return out === '' ? [] : (JSON.parse(out) as { name: string }[]).map((n) => n.name);
}

export async function addNodeNs(suffix: string): Promise<string> {
  const ns = nsName(suffix);
  await sh('ip', 'netns', 'add', ns);
  await ipIn(ns, 'link', 'set', 'lo', 'up');
  return ns;
}

/** Deletes every namespace this process created (links inside go with them). */
export async function cleanupNetns(): Promise<void> {
  for (const n of await netnsNames()) {
    if (n.startsWith(NS_PREFIX)) await sh('ip', 'netns', 'del', n).catch(() => undefined);
  }
}

/** One ICMP echo; true when answered. */
export async function pings(ns: string, address: string): Promise<boolean> {
  try {
    await sh('ip', 'netns', 'exec', ns, 'ping', '-c', '1', '-W', '2', '-q', address);
    return true;
  } catch {
    return false;
  }
}

/** Two nodes joined by an underlay veth (not gitwire's): 10.250.0.1/24 on `u1` in A, .2 on `u2` in B. */
export async function joinNodes(a: string, b: string): Promise<void> {
  await ipIn(a, 'link', 'add', 'u1', 'type', 'veth', 'peer', 'name', 'u2', 'netns', b);
  await ipIn(a, 'addr', 'add', '10.250.0.1/24', 'dev', 'u1');
  await ipIn(b, 'addr', 'add', '10.250.0.2/24', 'dev', 'u2');
  await ipIn(a, 'link', 'set', 'u1', 'up');
  await ipIn(b, 'link', 'set', 'u2', 'up');
}

export interface EndpointSpec {
  readonly index: number;
  /** Third octet of 10.244.X.0/24, the node's pod CIDR. */
  readonly podNet: number;
  readonly host: number;
  readonly mtu?: number;
}

/** The desired entries one endpoint brings: its veth link, the endpoint, and the host route. */
export function endpointEntries(s: EndpointSpec): {
  link: Entry<LinkValue>;
  endpoint: Entry<EndpointValue>;
  route: Entry<RouteValue>;
} {
  const address = `10.244.${s.podNet}.${s.host}`;
  const ifName = `gwv${s.index}`;
  const netns = nsName(`ep${s.index}`);
  const link: LinkValue = {
    name: ifName,
    kind: 'veth',
    mtu: s.mtu ?? 1500,
    vni: null,
    port: null,
    local: null,
    peerNetns: netns,
    peerName: 'eth0',
  };
  const endpoint: EndpointValue = {
    id: s.index + 1,
    name: `pod-${s.index}`,
    namespace: 'default',
    address,
    mac: `0a:58:0a:f4:${s.podNet.toString(16).padStart(2, '0')}:${s.host.toString(16).padStart(2, '0')}`,
    ifName,
    gateway: `10.244.${s.podNet}.1`,
    netns,
    identity: 256 + s.index,
    enforceIngress: s.index % 2 === 0,
    enforceEgress: false,
    audit: s.index % 3 === 0,
  };
  const route: RouteValue = { prefix: `${address}/32`, dev: ifName, via: null, onlink: false, mtu: null, src: null };
  return {
    link: { key: ifName, value: link },
    endpoint: { key: `default/pod-${s.index}`, value: endpoint },
    route: { key: route.prefix, value: route },
  };
}

export interface NetDrivers {
  readonly link: LinkOps;
  readonly endpoint: EndpointOps;
  readonly route: RouteOps;
  readonly tunnel: TunnelOps;
}

export const netDrivers = (node: NetNode): NetDrivers => ({
  link: new LinkOps(node),
  endpoint: new EndpointOps(node),
  route: new RouteOps(node),
  tunnel: new TunnelOps(node),
});

export const totalWrites = (d: NetDrivers): number =>
  d.link.writes + d.endpoint.writes + d.route.writes + d.tunnel.writes;

export interface NetDesired {
  readonly links: readonly Entry<LinkValue>[];
  readonly endpoints: readonly Entry<EndpointValue>[];
  readonly routes: readonly Entry<RouteValue>[];
  readonly tunnels?: readonly Entry<TunnelValue>[];
}

/** What the reconciler does with the net drivers: prune dependants first, then create in dependency order. */
export async function converge(d: NetDrivers, want: NetDesired): Promise<void> {
  await d.route.prune(want.routes);
  await d.tunnel.prune(want.tunnels ?? []);
  await d.endpoint.prune(want.endpoints);
  await d.link.prune(want.links);
  await d.link.updateMany(want.links);
  await d.endpoint.updateMany(want.endpoints);
  if (want.tunnels !== undefined) await d.tunnel.updateMany(want.tunnels);
  await d.route.updateMany(want.routes);
}

export function desiredFor(specs: readonly EndpointSpec[]): NetDesired {
  const all = specs.map(endpointEntries);
  const byKey = <T>(xs: Entry<T>[]): Entry<T>[] => xs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    links: byKey(all.map((e) => e.link)),
    endpoints: byKey(all.map((e) => e.endpoint)),
    routes: byKey(all.map((e) => e.route)),
  };
}
