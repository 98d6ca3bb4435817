import type { Entry, LinkValue, ProgramValue, RouteValue, TunnelValue } from '../desired-state.js';
import { KINDS } from '../kinds/index.js';
import type { ClusterView, NodeInfo } from './cluster-view.js';
import { entry } from './sorted-entries.js';

/** Encapsulation overhead subtracted from the underlay MTU for the tunnel device and pods. */
export const TUNNEL_OVERHEAD = 50;
const DEFAULT_PORTS = { vxlan: 8472, geneve: 6081 } as const;
const DEFAULT_DEVICES = { vxlan: 'gitwire_vxlan', geneve: 'gitwire_geneve' } as const;

export interface NodeOverlay {
  readonly tunnel: Entry<TunnelValue>[];
  readonly route: Entry<RouteValue>[];
  readonly link: Entry<LinkValue>[];
  readonly program: Entry<ProgramValue>[];
}

/**
 * How this node reaches the other nodes' pod CIDRs: through a tunnel device
 * (a route via the remote gateway, onlink, plus a tunnel entry), or
 * natively via the remote node's underlay address. The tunnel device is
 * collect-metadata: its overlay programs carry the sender's identity in the
 * VNI (Cilium's scheme), so the cluster's `tunnel.vni` is not used.
 */
export function compileOverlay(view: ClusterView, node: NodeInfo): NodeOverlay {
  const spec = view.cluster.spec;
  const others = [...view.nodes.values()].filter((n) => n.name !== node.name);
  const result: NodeOverlay = { tunnel: [], route: [], link: [], program: [] };
  if (spec.routingMode === 'native') {
    for (const n of others) {
      // dev '' leaves the device to the kernel's route to the underlay address.
      result.route.push(
        entry(
          n.podCidrText,
          { prefix: n.podCidrText, dev: '', via: n.address, onlink: false, mtu: null, src: null },
          n.name,
        ),
      );
    }
    return result;
  }
  const protocol = spec.tunnel.protocol;
  const dev = spec.tunnel.device ?? DEFAULT_DEVICES[protocol];
  result.link.push(
    entry(dev, {
      name: dev,
      kind: protocol,
      mtu: spec.mtu - TUNNEL_OVERHEAD,
      vni: protocol === 'vxlan' ? null : spec.tunnel.vni,
      port: spec.tunnel.port ?? DEFAULT_PORTS[protocol],
      local: node.address,
      peerNetns: null,
      peerName: null,
    }),
  );
  for (const [hook, program] of [
    ['ingress', 'gw_from_overlay'],
    ['egress', 'gw_to_overlay'],
  ] as const) {
    const value = { ifName: dev, hook, program };
    result.program.push(entry(KINDS.program.key(value), value, 'overlay'));
  }
  for (const n of others) {
    result.tunnel.push(entry(n.podCidrText, { prefix: n.podCidrText, endpoint: n.address }, `node ${n.name}`));
    result.route.push(
      entry(n.podCidrText, { prefix: n.podCidrText, dev, via: n.gateway, onlink: true, mtu: null, src: null }, n.name),
    );
  }
  return result;
}
