import { jsonVisible, visible } from '../render/escape.js';
import { describeHold } from '../rollout/describe-hold.js';
import { condition, shortRevision, type NodeStatus } from './node-status.js';

/**
 * A human summary of each node's status, as `gitwire status` prints it. Names,
 * revisions and messages reach it from the repository, so every line is made visible.
 */
export function renderStatusText(statuses: readonly NodeStatus[]): string {
  return statuses.map(renderOne).join('\n');
}

/** The same as indented JSON, terminal controls that JSON leaves raw escaped (the value is unchanged). */
export function renderStatusJson(status: NodeStatus | readonly NodeStatus[]): string {
  return jsonVisible(JSON.stringify(status, null, 2)) + '\n';
}

function renderOne(s: NodeStatus): string {
  const ready = condition(s, 'Ready');
  const lines = [
    `Node ${s.node}: ${ready?.status === 'True' ? 'Ready' : condition(s, 'Stalled')?.status === 'True' ? 'Stalled' : 'Not ready'}`,
    `  source:     ${s.repo} @ ${s.rev}`,
    `  applied:    ${s.lastAppliedAt ? `${shortRevision(s.lastAppliedRevision)} at ${s.lastAppliedAt}` : 'nothing yet'}`,
    `  attempted:  ${shortRevision(s.lastAttemptedRevision)}`,
    `  updated:    ${s.updatedAt}`,
  ];
  if (s.hold) lines.push(`  held:       ${describeHold(s.hold)}`);
  if (s.lastReconcile) {
    const r = s.lastReconcile;
    lines.push(`  last pass:  ${r.changes} changes, ${r.writes} kernel writes in ${r.durationMs} ms at ${r.at}`);
  }
  lines.push('  conditions:');
  for (const c of s.conditions)
    lines.push(`    ${c.type.padEnd(11)} ${c.status.padEnd(7)} ${c.reason}${c.message ? `: ${c.message}` : ''}`);
  if (s.health) {
    const h = s.health;
    const back =
      h.rollbackSeconds === null || h.rolledBackTo === null
        ? 'not rolled back'
        : `rolled back to ${shortRevision(h.rolledBackTo)} in ${Math.round(h.rollbackSeconds * 1000)} ms`;
    lines.push(`  health:     ${shortRevision(h.revision)} failed ${h.failed.length} check(s) at ${h.at}; ${back}`);
  }
  if (s.lastError) {
    const e = s.lastError;
    lines.push(`  last error: ${e.kind} at ${e.step} (${e.code}) at ${e.at}`);
    for (const l of e.message.split('\n')) lines.push(`    ${l}`);
  }
  return lines.map(visible).join('\n') + '\n';
}
