import type { Entry, LinkValue, ProgramValue, RouteValue } from '../desired-state.js';
import { KINDS } from '../kinds/index.js';
import type { ClusterView, NodeInfo } from './cluster-view.js';
import { TUNNEL_OVERHEAD } from './compile-overlay.js';
import { entry } from './sorted-entries.js';

/** The node's end of the pair, which the service CIDR route leads to; its program runs on egress. */
export const HOST_DEVICE = 'gw_host';
/** The other end: only a sink, since gw_host's program sends every packet on before it gets there. */
export const HOST_PEER = 'gw_net';

export interface NodeHostLb {
  readonly link: Entry<LinkValue>[];
  readonly route: Entry<RouteValue>[];
  readonly program: Entry<ProgramValue>[];
}

/**
 * How the node's own processes reach ClusterIPs (Cilium's cilium_host): a
 * veth pair in the node's namespace, a route for the service CIDR through it
 * with the node's address as source, and the program translating on its
 * egress. None without a service CIDR. It depends on the Cluster alone, so a
 * compile that leaves the load-balancer kinds out gives the same entries.
 */
export function compileHostLb(view: ClusterView, node: NodeInfo): NodeHostLb {
  const spec = view.cluster.spec;
  if (!spec.serviceCIDR) return { link: [], route: [], program: [] };
  const mtu = spec.routingMode === 'tunnel' ? spec.mtu - TUNNEL_OVERHEAD : spec.mtu;
  const program = { ifName: HOST_DEVICE, hook: 'egress', program: 'gw_from_host' } as const;
  return {
    link: [
      entry(HOST_DEVICE, {
        name: HOST_DEVICE,
        kind: 'veth',
        mtu,
        vni: null,
        port: null,
        local: null,
        peerNetns: null,
        peerName: HOST_PEER,
      }),
    ],
    route: [
      entry(spec.serviceCIDR, {
        prefix: spec.serviceCIDR,
        dev: HOST_DEVICE,
        via: null,
        onlink: false,
        mtu: null,
        src: node.address,
      }),
    ],
    program: [entry(KINDS.program.key(program), program, 'host')],
  };
}
