import type { EndpointValue, Entry, LinkValue, RouteValue, TunnelValue } from '../../desired/desired-state.js';
import type { NetNode } from './net-node.js';
import { observedEndpoints, vethPeerNetns } from './endpoint-ops.js';
import { observedLinks } from './link-ops.js';
import { observedRoutes } from './route-ops.js';
import { observedTunnels, readTunnel } from './tunnel-ops.js';
import { inet } from './internal/ip-json.js';
import { scanNamed, scanNode } from './internal/node-scan.js';

/** IPv4 addresses per device of the node's namespace. */
export type DeviceAddresses = ReadonlyMap<string, readonly string[]>;

export interface ObservedNet {
  readonly endpoint: Entry<EndpointValue>[];
  readonly link: Entry<LinkValue>[];
  readonly route: Entry<RouteValue>[];
  readonly tunnel: Entry<TunnelValue>[];
  /** From the same scan: the netdev kind reads these instead of running `ip addr` again. */
  readonly deviceAddresses: DeviceAddresses;
}

/**
 * Everything the net drivers observe, from one read of the node and one of
 * the namespaces its veths lead into: what each driver's observe() returns,
 * at about half the cost of calling them one by one.
 */
export async function observeNet(
  node: NetNode,
  options: { readonly tunnelDevice?: string } = {},
): Promise<ObservedNet> {
  const scan = await scanNode(node);
  const tunnel = await readTunnel(node, scan, options.tunnelDevice);
  const netns = scanNamed(vethPeerNetns(scan, node));
  return {
    endpoint: observedEndpoints(node, scan, netns),
    link: observedLinks(node, scan, netns),
    route: observedRoutes(scan),
    tunnel: tunnel === null ? [] : observedTunnels(tunnel),
    deviceAddresses: new Map(scan.links.map((l) => [l.ifname, inet(l).map((a) => a.local)])),
  };
}
