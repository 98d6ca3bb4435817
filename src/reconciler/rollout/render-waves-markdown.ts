import { nodeRanges } from '../group-plans.js';
import { markdownText } from '../render/escape.js';
import type { RolloutPlan } from './rollout-waves.js';

/**
 * The waves a commit goes through, for the plan of its pull request: one row
 * per wave with its nodes (consecutive names folded), how many update at once,
 * and the pause after it.
 */
export function renderWavesMarkdown(plan: RolloutPlan): string {
  const pause = plan.pauseMs > 0 ? `, a pause of ${plan.pauseMs / 1000} s after each wave` : '';
  const lines = [
    '### Rollout',
    '',
    `This commit reaches the nodes in ${plan.waves.length} wave(s)${pause}; a node that fails it halts the rollout, ` +
      'its wave goes back to the previous revision and later waves never get it.',
    '',
    '| wave | nodes | at once |',
    '|---:|---|---:|',
    ...plan.waves.map((w, i) => `| ${i + 1} | ${markdownText(nodeRanges(w))} | ${plan.maxUnavailable[i]} |`),
  ];
  return lines.join('\n') + '\n';
}
