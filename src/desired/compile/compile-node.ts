import type { DesiredState, Entry, IdentityValue, Resources } from '../desired-state.js';
import type { ClusterProgram } from './cluster-program.js';
import type { NodeInfo } from './cluster-view.js';
import { CompileError } from './compile-error.js';
import { compileDatapath } from './compile-datapath.js';
import { compileEndpoints, localEndpoints } from './compile-endpoints.js';
import { compileIpcache } from './compile-ipcache.js';
import { compileNetdev } from './compile-netdev.js';
import { compileOverlay } from './compile-overlay.js';
import { compileNodePolicy } from './policy/compile-node-policy.js';
import { compileNodeServices, type NodeServices } from './service/compile-node-services.js';
import { deepFreeze, entry, sortEntries } from './sorted-entries.js';
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
  const policy = compileNodePolicy(view, program.policy, local, warnings);
  const endpoints = compileEndpoints(view, node, local, policy.enforcement);
  const datapath = compileDatapath(endpoints.endpoint);
  const overlay = compileOverlay(view, node);
  const services = nodeServices(program, node);
  warnings.addAll(services.warnings);
  const identity = program.policy.identities.map((i): Entry<IdentityValue> =>
    entry(String(i.id), { id: i.id, labels: i.labels, scope: i.scope }, i.labels.join(',')),
  );
  const resources: Resources = {
    identity: sortEntries(identity),
    ipcache: sortEntries(compileIpcache(view, node, program.policy.cidrIdentities, program.policy.worldPrefixUsed)),
    endpoint: sortEntries(endpoints.endpoint),
    lxc: sortEntries(datapath.lxc),
    policy: sortEntries(policy.entries),
    service: services.service,
    backend: services.backend,
    revnat: services.revnat,
    maglev: services.maglev,
    tunnel: sortEntries(overlay.tunnel),
    route: sortEntries([...overlay.route, ...endpoints.route]),
    link: sortEntries([...overlay.link, ...endpoints.link]),
    program: sortEntries(datapath.program),
    netdev: sortEntries(compileNetdev(services.service)),
  };
  return deepFreeze({
    node: nodeName,
    inputs: { commit: program.revision, generation: 0 },
    resources,
    rules: policy.rules,
    warnings: warnings.list(),
  });
}

/**
 * The load-balancer entries, sorted and frozen: the bulk of a node's state,
 * and the same for every commit that leaves Services and Endpoints alone, so
 * a cache hands the previous commit's arrays back (and plan sees them as equal).
 */
function nodeServices(program: ClusterProgram, node: NodeInfo): SortedNodeServices {
  const build = (): SortedNodeServices => {
    const warnings = new Warnings();
    const s = compileNodeServices(program.services, node, warnings);
    const lists = deepFreeze({
      service: sortEntries(s.service),
      backend: sortEntries(s.backend),
      revnat: sortEntries(s.revnat),
      maglev: sortEntries(s.maglev),
    });
    return { ...lists, warnings };
  };
  return program.cache ? program.cache.memo(`node:${node.name}`, [program.services, node], build) : build();
}

type SortedNodeServices = { readonly [K in keyof NodeServices]: readonly NodeServices[K][number][] } & {
  readonly warnings: Warnings;
};
