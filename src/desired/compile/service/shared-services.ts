import type { Entry } from '../../desired-state.js';
import type { NodeInfo } from '../cluster-view.js';
import { deepFreeze, mergeSorted, sortEntries } from '../sorted-entries.js';
import { Warnings } from '../warnings.js';
import {
  compileNodeServices,
  frontendEntries,
  nodePortFrontends,
  sharedFrontends,
  type NodeServices,
} from './compile-node-services.js';
import type { ServiceProgram } from './service-program.js';

/** A node's load-balancer entries, each list sorted by key and frozen, with the warnings they raised. */
export type SortedNodeServices = { readonly [K in keyof NodeServices]: readonly NodeServices[K][number][] } & {
  readonly warnings: Warnings;
};

interface Shared {
  readonly lists: SortedNodeServices;
  readonly keys: ReadonlySet<string>;
}

// One per service program: every node of a revision (and of the next, when
// the cache hands back the same program) shares these lists.
const shared = new WeakMap<ServiceProgram, Shared>();

/**
 * The entries of the frontends every node has (ClusterIP, ExternalIP) are
 * built once per program; a node adds its NodePorts by a merge. The result
 * is the same as compileNodeServices: when a NodePort's key is also a shared
 * frontend's, which one wins depends on the order, so that node is compiled whole.
 */
export function sharedNodeServices(program: ServiceProgram, node: NodeInfo): SortedNodeServices {
  const base = sharedPart(program);
  const own = nodePortFrontends(program, node);
  if (own.length === 0) return base.lists;
  if (own.some((f) => base.keys.has(f.key))) return sorted((w) => compileNodeServices(program, node, w));
  const lists = sorted((w) => frontendEntries(program, own, w));
  return {
    service: merge(base.lists.service, lists.service),
    backend: merge(base.lists.backend, lists.backend),
    revnat: merge(base.lists.revnat, lists.revnat),
    maglev: merge(base.lists.maglev, lists.maglev),
    warnings: joined(base.lists.warnings, lists.warnings),
  };
}

function sharedPart(program: ServiceProgram): Shared {
  let found = shared.get(program);
  if (!found) {
    const frontends = sharedFrontends(program);
    found = {
      lists: sorted((w) => frontendEntries(program, frontends, w)),
      keys: new Set(frontends.map((f) => f.key)),
    };
    shared.set(program, found);
  }
  return found;
}

function sorted(build: (warnings: Warnings) => NodeServices): SortedNodeServices {
  const warnings = new Warnings();
  const s = build(warnings);
  const lists = deepFreeze({
    service: sortEntries(s.service),
    backend: sortEntries(s.backend),
    revnat: sortEntries(s.revnat),
    maglev: sortEntries(s.maglev),
  });
  return { ...lists, warnings };
}

function merge<V>(a: readonly Entry<V>[], b: readonly Entry<V>[]): readonly Entry<V>[] {
  return Object.freeze(mergeSorted(a, b));
}

function joined(a: Warnings, b: Warnings): Warnings {
  const w = new Warnings();
  w.addAll(a);
  w.addAll(b);
  return w;
}
