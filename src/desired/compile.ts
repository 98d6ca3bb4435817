import { RESOURCE_KINDS, type DesiredState, type ResourceKind } from './desired-state.js';
import { buildClusterProgram } from './compile/cluster-program.js';
import type { CompileCache } from './compile/compile-cache.js';
import { compileNode } from './compile/compile-node.js';
import type { IdentityTable } from './identity/index.js';
import type { Model } from './model.js';

export { CompileCache } from './compile/compile-cache.js';
export { CompileError } from './compile/compile-error.js';
export type { CompileErrorCode } from './compile/compile-error.js';
export { compareKeys } from './compile/sorted-entries.js';
export { decodeMaglevTable } from './compile/service/maglev-encoding.js';

export interface CompileOptions {
  /**
   * Identities from an IdentityAllocator run beforehand; without it, the
   * local deterministic allocation is used (same labels → same number on every node).
   */
  readonly identities?: IdentityTable;
  /** Work of earlier compiles to reuse where the declarations are the same objects (see CompileCache). */
  readonly cache?: CompileCache;
  /**
   * The kinds the caller will read (default: all). Leaving every load-balancer
   * kind out skips the service program and leaves those lists empty: for a
   * plan between commits whose Services compile the same (see changedKinds).
   */
  readonly kinds?: readonly ResourceKind[];
}

// netdev: the node-device programs NodePort needs, compiled from the same service program.
const LOAD_BALANCER_KINDS: readonly ResourceKind[] = ['service', 'backend', 'revnat', 'maglev', 'netdev'];

/**
 * The kinds whose entries can differ between two models: all of them, but
 * the load-balancer kinds when both hold the very same Cluster, Node,
 * Endpoint and Service declarations (as a LoadCache hands out for unchanged
 * files), because those entries are compiled from nothing else (for two
 * compiles with the same CompileOptions.identities, or none).
 */
export function changedKinds(from: Model, to: Model): ResourceKind[] {
  const same =
    from.cluster === to.cluster &&
    sameItems(from.nodes, to.nodes) &&
    sameItems(from.endpoints, to.endpoints) &&
    sameItems(from.services, to.services);
  return RESOURCE_KINDS.filter((k) => !same || !LOAD_BALANCER_KINDS.includes(k));
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  // Indexed: tens of thousands of declarations, compared while the code is cold.
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A revision compiled for the whole cluster: what every node shares
 * (identities, policy rules, services, backends, Maglev tables) is built
 * here once; each node's state is compiled from it on demand.
 */
export interface ClusterCompile {
  /** The declared nodes, by name. */
  readonly nodes: readonly string[];
  /** The DesiredState of one node: deep-frozen, sorted, byte-identical for the same model. */
  node(name: string): DesiredState;
}

export function compileCluster(model: Model, opts: CompileOptions = {}): ClusterCompile {
  // A HealthCheck of a service probes its ClusterIP, which the service program allocates.
  const probesServices =
    opts.kinds?.includes('healthcheck') === true && (model.healthChecks ?? []).some((c) => c.spec.to.service);
  const loadBalancing = !opts.kinds || probesServices || opts.kinds.some((k) => LOAD_BALANCER_KINDS.includes(k));
  const program = buildClusterProgram(model, opts.identities, opts.cache, loadBalancing);
  return { nodes: [...program.view.nodes.keys()], node: (name) => compileNode(program, name) };
}

/** The DesiredState of one node: deep-frozen, sorted, byte-identical for the same model. */
export function compile(model: Model, node: string, opts: CompileOptions = {}): DesiredState {
  return compileCluster(model, opts).node(node);
}

/** Every declared node's DesiredState, sharing the cluster-wide work. */
export function compileAll(model: Model, opts: CompileOptions = {}): ReadonlyMap<string, DesiredState> {
  const cluster = compileCluster(model, opts);
  return new Map(cluster.nodes.map((name) => [name, cluster.node(name)]));
}
