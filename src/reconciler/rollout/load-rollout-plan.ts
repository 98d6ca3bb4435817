import type { SourceOptions } from '../../desired/index.js';
import { loadRevision } from '../load-revision.js';
import { rolloutPlan, type RolloutPlan } from './rollout-waves.js';

/** The rollout a commit's Cluster declares, over the commit's nodes; null when it declares none. */
export async function loadRolloutPlan(
  repo: string,
  source: SourceOptions,
  revision: string,
): Promise<RolloutPlan | null> {
  const { model } = await loadRevision(repo, { ...source, rev: revision });
  const nodes = model.nodes.map((n) => ({ name: n.name, labels: n.labels }));
  return rolloutPlan(model.cluster?.spec.rollout, nodes);
}
