import { RESOURCE_KINDS, type DesiredState, type Resources } from '../../src/desired/desired-state.js';

/** A DesiredState holding only the given entries; every other kind is empty. */
export function desiredWith(node: string, revision: string | null, partial: Partial<Resources>): DesiredState {
  const resources = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, partial[k] ?? []])) as unknown as Resources;
  return { node, inputs: { commit: revision, generation: 0 }, resources, rules: [], warnings: [] };
}
