import type { EndpointValue, Entry, LinkValue, ProgramValue, RouteValue } from '../desired-state.js';
import { attachmentKey } from '../kinds/index.js';
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

/** The node's endpoint map entries: each endpoint with its id, identity and whether policy applies to it. */
export function compileEndpoints(
  view: ClusterView,
  node: NodeInfo,
  local: readonly LocalEndpoint[],
  enforcement: ReadonlyMap<string, Enforcement>,
  devices: EndpointDevices,
): Entry<EndpointValue>[] {
  const spec = view.cluster.spec;
  const endpoints: Entry<EndpointValue>[] = [];
  for (const { info, id } of local) {
    const e = enforcement.get(info.key)!;
    const { ifName, netns } = devices.names.get(info.key)!;
    endpoints.push(
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
  }
  return endpoints;
}

export interface EndpointDevices {
  readonly link: Entry<LinkValue>[];
  readonly route: Entry<RouteValue>[];
  readonly program: Entry<ProgramValue>[];
  /** Each endpoint's host-side veth and netns, by `namespace/name`: hashed names, made once. */
  readonly names: ReadonlyMap<string, { readonly ifName: string; readonly netns: string }>;
}

/**
 * Each local endpoint's veth, its /32 route and the two program attachments
 * on the host-side veth: from the view alone (no ids, no policy), so they
 * stay the same lists for a commit that changes only policies.
 */
export function endpointDevices(view: ClusterView, node: NodeInfo): EndpointDevices {
  const spec = view.cluster.spec;
  const mtu = spec.routingMode === 'tunnel' ? spec.mtu - 50 : spec.mtu;
  const result: EndpointDevices & { names: Map<string, { ifName: string; netns: string }> } = {
    link: [],
    route: [],
    program: [],
    names: new Map(),
  };
  for (const info of view.endpointsByNode.get(node.name) ?? []) {
    const ifName = vethName(info);
    const netns = netnsName(node, info);
    result.names.set(info.key, { ifName, netns });
    result.link.push(
      entry(
        ifName,
        { name: ifName, kind: 'veth', mtu, vni: null, port: null, local: null, peerNetns: netns, peerName: 'eth0' },
        info.key,
      ),
    );
    const prefix = `${info.address}/32`;
    result.route.push(entry(prefix, { prefix, dev: ifName, via: null, onlink: false, mtu: null, src: null }, info.key));
    for (const value of [
      { ifName, hook: 'ingress', program: 'gw_from_endpoint' },
      { ifName, hook: 'egress', program: 'gw_to_endpoint' },
    ] as const)
      result.program.push(entry(attachmentKey(value), value, info.key));
  }
  return result;
}

export function vethName(info: EndpointInfo): string {
  return endpointVeth(info.key);
}

export function netnsName(node: NodeInfo, info: EndpointInfo): string {
  return endpointNetns(node.name, info.namespace, info.name);
}
