import { MAX_GLOBAL_IDENTITY, MIN_GLOBAL_IDENTITY } from '../../../desired/identity/index.js';
import type { DesiredState } from '../../../desired/index.js';

/** identity number → its sorted `source:key=value` labels. */
export type IdentityLabels = ReadonlyMap<number, readonly string[]>;

/** The identities a compiled revision holds (the table is cluster-wide: every node's state carries it). */
export function revisionIdentities(states: ReadonlyMap<string, DesiredState>): IdentityLabels {
  const first = states.values().next().value as DesiredState | undefined;
  return new Map((first?.resources.identity ?? []).map((e) => [e.value.id, e.value.labels]));
}

export type Resolved = { readonly labels: readonly string[] } | { readonly unresolved: string };

/**
 * The labels behind a recorded number. The cluster store, when given, is the
 * authority for the global range (the agents took their numbers from it and
 * numbers never move there). Otherwise the two revisions must agree: a number
 * one revision gives other labels than the other is reported, not guessed.
 */
export function resolveIdentity(
  id: number,
  revisions: readonly IdentityLabels[],
  cluster: IdentityLabels | null,
): Resolved {
  const global = id >= MIN_GLOBAL_IDENTITY && id <= MAX_GLOBAL_IDENTITY;
  if (cluster && global) {
    const labels = cluster.get(id);
    return labels ? { labels } : { unresolved: `identity ${id} is not in the cluster's identity store` };
  }
  const seen = new Map<string, readonly string[]>();
  for (const table of revisions) {
    const labels = table.get(id);
    if (labels) seen.set(labels.join(','), labels);
  }
  if (seen.size === 0) return { unresolved: `identity ${id} exists in neither revision` };
  if (seen.size > 1)
    return {
      unresolved: `identity ${id} names different labels in the two revisions (${[...seen.keys()].join(' / ')})`,
    };
  return { labels: [...seen.values()][0]! };
}
