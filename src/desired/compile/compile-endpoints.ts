import type { EndpointValue, Entry, LinkValue, RouteValue } from '../desired-state.js';
import { allocateByHash } from '../identity/index.js';
import { endpointNetns, endpointVeth } from '../names/index.js';
import type { ClusterView, EndpointInfo, NodeInfo } from './cluster-view.js';
import { macFromIpv4, parseIpv4 } from './ipv4.js';
import type { Enforcement, LocalEndpoint } from './policy/compile-node-policy.js';
import { entry } from './sorted-entries.js';

/** Endpoint ids of a node's endpoints: hashed from `namespace/name`, so adding one leaves the others alone. */
export function localEndpoints(view: ClusterView, node: NodeInfo): LocalEndpoint[] {
  const infos = view.endpointsByNode.get(node.name) ?? [];
  const ids = allocateByHash(
    infos.map((e) => e.key),
    { min: 1, max: 65_535, space: 'endpoint ids' },
  );
  return infos.map((info) => ({ info, id: ids.get(info.key)! }));
}

export interface NodeEndpoints {
  readonly endpoint: Entry<EndpointValue>[];
  readonly link: Entry<LinkValue>[];
  readonly route: Entry<RouteValue>[];
}

export function compileEndpoints(
  view: ClusterView,
  node: NodeInfo,
  local: readonly LocalEndpoint[],
  enforcement: ReadonlyMap<string, Enforcement>,
): NodeEndpoints {
  const spec = view.cluster.spec;
  const mtu = spec.routingMode === 'tunnel' ? spec.mtu - 50 : spec.mtu;
  const result: NodeEndpoints = { endpoint: [], link: [], route: [] };
  for (const { info, id } of local) {
    const ifName = vethName(info);
    const netns = netnsName(node, info);
    const e = enforcement.get(info.key)!;
    result.endpoint.push(
      entry(info.key, {
        id,
        name: info.name,
        namespace: info.namespace,
        address: info.address,
        mac: info.decl.spec.mac ?? macFromIpv4(parseIpv4(info.address)!),
        ifName,
        gateway: node.gateway,
        netns,
        identity: info.identity,
        enforceIngress: e.ingress,
        enforceEgress: e.egress,
        audit: spec.auditMode,
      }),
    );
    result.link.push(
      entry(
        ifName,
        { name: ifName, kind: 'veth', mtu, vni: null, port: null, local: null, peerNetns: netns, peerName: 'eth0' },
        info.key,
      ),
    );
    const prefix = `${info.address}/32`;
    result.route.push(entry(prefix, { prefix, dev: ifName, via: null, onlink: false, mtu: null, src: null }, info.key));
  }
  return result;
}

export function vethName(info: EndpointInfo): string {
  return endpointVeth(info.key);
}

export function netnsName(node: NodeInfo, info: EndpointInfo): string {
  return endpointNetns(node.name, info.namespace, info.name);
}
