import type { RolloutSpec } from '../../desired/schema/rollout-spec.js';
import { parseDuration } from '../agent/parse-duration.js';

/** A node as a rollout sees it: its name and labels, in declaration order. */
export interface RolloutNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** What a commit's Cluster declares, resolved against the commit's nodes. */
export interface RolloutPlan {
  /** Node names per wave, in order; every node is in exactly one wave. */
  readonly waves: readonly (readonly string[])[];
  /** Wave by wave: how many of its nodes may be updating at once. */
  readonly maxUnavailable: readonly number[];
  readonly pauseMs: number;
}

/**
 * The waves a commit goes through. A wave takes the nodes it names, or
 * selects, or (percent) the next nodes in declaration order until that share
 * of all nodes has been reached, cumulatively as Argo Rollouts' weights are;
 * never a node an earlier wave took. Nodes no wave takes form a last wave, so
 * every node gets the commit; waves left empty are dropped.
 */
export function rolloutWaves(spec: RolloutSpec, nodes: readonly RolloutNode[]): string[][] {
  const placed = new Set<string>();
  const known = new Set(nodes.map((n) => n.name));
  const waves: string[][] = [];
  const take = (names: readonly string[]) => {
    const wave = names.filter((n) => known.has(n) && !placed.has(n));
    wave.forEach((n) => placed.add(n));
    waves.push(wave);
  };
  for (const w of spec.waves) {
    if (w.nodes) take(w.nodes);
    else if (w.selector) {
      const match = Object.entries(w.selector.matchLabels);
      take(nodes.filter((n) => match.every(([k, v]) => n.labels[k] === v)).map((n) => n.name));
    } else {
      const upTo = Math.ceil((w.percent! / 100) * nodes.length);
      const open = nodes.filter((n) => !placed.has(n.name)).map((n) => n.name);
      take(open.slice(0, Math.max(0, upTo - placed.size)));
    }
  }
  take(nodes.map((n) => n.name));
  return waves.filter((w) => w.length > 0);
}

/** A wave's limit: a count, or a share of the wave rounded up (at least one); the whole wave by default. */
export function maxUnavailable(limit: number | string | undefined, waveSize: number): number {
  if (limit === undefined) return Math.max(1, waveSize);
  if (typeof limit === 'number') return limit;
  return Math.max(1, Math.ceil((Number(limit.slice(0, -1)) / 100) * waveSize));
}

/** The plan of a Cluster's rollout over its nodes; null when the Cluster declares none. */
export function rolloutPlan(spec: RolloutSpec | undefined, nodes: readonly RolloutNode[]): RolloutPlan | null {
  if (!spec) return null;
  const waves = rolloutWaves(spec, nodes);
  return {
    waves,
    maxUnavailable: waves.map((w) => maxUnavailable(spec.maxUnavailable, w.length)),
    pauseMs: /^(0+(ms|s|m|h))+$/.test(spec.pause) ? 0 : parseDuration(spec.pause),
  };
}
