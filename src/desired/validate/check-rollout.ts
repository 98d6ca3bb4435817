import type { Declared } from '../model.js';
import type { ClusterSpec, NodeSpec } from '../schema/gitwire-kinds.js';
import type { Reporter } from './internal/reporter.js';
import { ValidateCode } from './validate-codes.js';

type Entry<S> = { readonly decl: Declared<S>; readonly r: Reporter };

/**
 * The Cluster's rollout against the declared nodes: a wave may only name
 * nodes that exist, a node belongs to one named wave, and a selector that
 * matches no node is most likely a typo.
 */
export function checkRollout(cluster: Entry<ClusterSpec>, nodes: readonly Entry<NodeSpec>[]): void {
  const waves = cluster.decl.spec.rollout?.waves ?? [];
  const declared = new Set(nodes.map((n) => n.decl.name));
  const named = new Map<string, number>();
  waves.forEach((w, i) => {
    const path = ['spec', 'rollout', 'waves', i];
    (w.nodes ?? []).forEach((name, j) => {
      if (!declared.has(name)) {
        const known = [...declared].slice(0, 10).join(', ') || 'none';
        cluster.r.error(
          ValidateCode.unknownNode,
          [...path, 'nodes', j],
          `unknown node "${name}" (declared nodes: ${known})`,
        );
      }
      const first = named.get(name);
      if (first !== undefined)
        cluster.r.error(
          ValidateCode.rolloutWave,
          [...path, 'nodes', j],
          `node "${name}" is already in wave ${first + 1}`,
        );
      else named.set(name, i);
    });
    const match = w.selector?.matchLabels;
    if (match && !nodes.some((n) => Object.entries(match).every(([k, v]) => n.decl.labels[k] === v)))
      cluster.r.warn(ValidateCode.selectsNothing, [...path, 'selector'], 'the selector matches no declared node');
  });
}
