import { shortRevision } from '../agent/node-status.js';
import type { NodeHold } from './node-hold.js';

/** One line on what holds a node back: its pin, its suspension, or the revision its rollout allows it. */
export function describeHold(hold: NodeHold | undefined): string {
  if (!hold) return '-';
  const parts: string[] = [];
  if (hold.pinned)
    parts.push(`pinned to ${shortRevision(hold.pinned.revision)} by ${hold.pinned.by} at ${hold.pinned.at}`);
  if (hold.suspended) {
    const s = hold.suspended;
    const repair = s.driftRepair ? '' : ', no drift repair';
    parts.push(`suspended${s.scope === 'cluster' ? ' (cluster)' : ''} by ${s.by} at ${s.at}${repair}`);
  }
  if (parts.length === 0 && hold.target) parts.push(`rollout target ${shortRevision(hold.target)}`);
  return parts.join('; ');
}
