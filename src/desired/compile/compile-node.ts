import type { DesiredState, Entry, IpcacheValue, Resources } from '../desired-state.js';
import type { ClusterProgram } from './cluster-program.js';
import type { NodeInfo } from './cluster-view.js';
import { CompileError } from './compile-error.js';
import { compileEndpoints, endpointDevices, localEndpoints, type EndpointDevices } from './compile-endpoints.js';
import { compileHostLb } from './compile-host-lb.js';
import { compileHealthChecks } from './compile-health-checks.js';
import { compileLxc } from './compile-lxc.js';
import { compileNetdev } from './compile-netdev.js';
import { compileOverlay } from './compile-overlay.js';
import { compileL7Proxy, compileL7Rules } from './l7/index.js';
import { compileNodePolicy, NodePolicyMemo } from './policy/compile-node-policy.js';
import { sharedNodeServices, type SortedNodeServices } from './service/shared-services.js';
import { deepFreeze, sortByAddress, sortEntries } from './sorted-entries.js';
import { Warnings } from './warnings.js';

/** One node's DesiredState from the shared cluster program; every list sorted by key, all of it frozen. */
export function compileNode(program: ClusterProgram, nodeName: string): DesiredState {
  const { view } = program;
  const node = view.nodes.get(nodeName);
  if (!node) {
    throw new CompileError('E_COMPILE_UNKNOWN_NODE', `node "${nodeName}" is not declared in the model`, {
      node: nodeName,
    });
  }
  const warnings = new Warnings();
  warnings.addAll(program.warnings);
  const local = localEndpoints(view, node);
  const policyMemo = program.cache?.memo(`node:policy:${node.name}`, [view], () => new NodePolicyMemo());
  const policy = compileNodePolicy(view, program.policy, local, warnings, policyMemo);
  const network = nodeNetwork(program, node);
  const endpoints = compileEndpoints(view, node, local, policy.enforcement, network.devices);
  const services = nodeServices(program, node);
  warnings.addAll(services.warnings);
  const resources: Resources = {
    identity: program.identity,
    ipcache: nodeIpcache(program, node),
    endpoint: sortEntries(endpoints),
    lxc: sortByAddress(compileLxc(endpoints)),
    policy: policy.entries,
    service: services.service,
    backend: services.backend,
    revnat: services.revnat,
    maglev: services.maglev,
    tunnel: network.tunnel,
    route: network.route,
    link: network.link,
    program: network.program,
    netdev: sortEntries(compileNetdev(services.service, network.hostDevice ? node.address : null)),
    l7proxy: sortEntries(compileL7Proxy(compileL7Rules(view, program.policy, local, warnings), program.identity)),
    healthcheck: sortEntries(compileHealthChecks(view, program.services, program.healthChecks, node)),
  };
  return deepFreeze({
    node: nodeName,
    inputs: { commit: program.revision, generation: 0 },
    resources,
    rules: policy.rules,
    warnings: warnings.list(),
  });
}

/** The node's devices, routes, tunnels and program attachments, sorted and frozen. */
interface NodeNetwork extends Pick<Resources, 'tunnel' | 'route' | 'link' | 'program'> {
  readonly devices: EndpointDevices;
  /** The node has the host's load-balancer device (a service CIDR is declared). */
  readonly hostDevice: boolean;
}

/**
 * What depends on the view and the node alone: a cache hands the same lists
 * back for a commit that changes only policies or Services (and plan sees them as equal).
 */
function nodeNetwork(program: ClusterProgram, node: NodeInfo): NodeNetwork {
  const { view } = program;
  const build = (): NodeNetwork => {
    const devices = endpointDevices(view, node);
    const overlay = compileOverlay(view, node);
    const hostLb = compileHostLb(view, node);
    return deepFreeze({
      tunnel: sortByAddress(overlay.tunnel),
      route: sortByAddress([...overlay.route, ...devices.route, ...hostLb.route]),
      link: sortEntries([...overlay.link, ...devices.link, ...hostLb.link]),
      program: sortEntries([...devices.program, ...overlay.program, ...hostLb.program]),
      devices,
      hostDevice: hostLb.link.length > 0,
    });
  };
  return program.cache ? program.cache.memo(`node:network:${node.name}`, [view, node], build) : build();
}

/**
 * The load-balancer entries: the bulk of a node's state, shared by every node
 * without NodePorts; a cache hands a node's merged lists back for the next
 * commit that leaves Services and Endpoints alone (and plan sees them as equal).
 */
function nodeServices(program: ClusterProgram, node: NodeInfo): SortedNodeServices {
  const services = program.services;
  if (!services) return NO_SERVICES;
  const build = () => sharedNodeServices(services, node);
  return program.cache ? program.cache.memo(`node:services:${node.name}`, [services, node], build) : build();
}

/** What a compile that leaves the load-balancer kinds out gives for them. */
const NO_SERVICES: SortedNodeServices = {
  ...deepFreeze({ service: [], backend: [], revnat: [], maglev: [] }),
  warnings: new Warnings(),
};

/** Prefix → identity: the cluster's shared entries with the node's own, the same lists again for an unchanged view. */
function nodeIpcache(program: ClusterProgram, node: NodeInfo): readonly Entry<IpcacheValue>[] {
  const { view, policy } = program;
  const build = () => deepFreeze(program.ipcache().forNode(node));
  const inputs = [view, policy.cidrIdentities, policy.worldPrefixUsed, node];
  return program.cache ? program.cache.memo(`node:ipcache:${node.name}`, inputs, build) : build();
}
