import { shortRevision } from '../agent/node-status.js';
import { jsonVisible, visible } from '../render/escape.js';
import type { PauseRecord, RolloutState } from './rollout-state.js';

/** What `gitwire rollout status` shows: the rollout, and whether a user paused it. */
export interface RolloutView {
  readonly state: RolloutState | null;
  readonly paused: PauseRecord | null;
}

/** A header on the rollout, then one line per node in wave order, as `kubectl get` prints. */
export function renderRolloutText({ state: s, paused }: RolloutView): string {
  if (!s) return 'no rollout recorded yet (no coordinator has seen a commit)\n';
  const wave =
    s.waves.length === 0 ? 'every node at once' : `wave ${Math.min(s.wave + 1, s.waves.length)}/${s.waves.length}`;
  const lines = [
    `rollout of ${shortRevision(s.revision)}: ${s.phase}, ${wave}` +
      `${s.previous ? `, previous ${shortRevision(s.previous)}` : ''}, coordinator ${s.coordinator}`,
  ];
  if (s.halted) lines.push(`${s.halted.reason === 'Aborted' ? 'aborted' : 'halted'}: ${s.halted.message}`);
  if (paused) lines.push(`paused by ${paused.by} at ${paused.at}`);
  if (s.phase === 'Pausing' && s.pauseUntil) lines.push(`next wave at ${s.pauseUntil}`);
  const head = ['WAVE', 'NODE', 'STATE', 'SINCE', 'MESSAGE'];
  const rows = s.waves.flatMap((w, i) =>
    w.map((node) => {
      const n = s.nodes[node];
      return [String(i + 1), node, n?.phase ?? 'Pending', n?.since ?? '-', n?.message ?? ''];
    }),
  );
  if (rows.length > 0) {
    const cells = [head, ...rows].map((r) => r.map(visible));
    const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
    lines.push(
      '',
      ...cells.map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      ),
    );
  }
  return lines.map(visible).join('\n') + '\n';
}

export function renderRolloutJson(view: RolloutView): string {
  return jsonVisible(JSON.stringify(view, null, 2)) + '\n';
}
