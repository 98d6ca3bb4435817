import { condition, shortRevision, type NodeStatus } from '../agent/node-status.js';
import { visible } from '../render/escape.js';
import { describeHold } from '../rollout/describe-hold.js';

/** One node's row of `gitwire status --all-nodes`: its status and whether its agent holds a lease in etcd. */
export interface NodeRow {
  readonly status: NodeStatus;
  readonly alive: boolean;
}

const state = (s: NodeStatus): string =>
  condition(s, 'Ready')?.status === 'True'
    ? 'Ready'
    : condition(s, 'Stalled')?.status === 'True'
      ? 'Stalled'
      : 'NotReady';

/** Every node in one table, as `kubectl get` prints: a column per fact, one line per node. */
export function renderStatusTable(rows: readonly NodeRow[]): string {
  const head = ['NODE', 'STATUS', 'AGENT', 'APPLIED', 'ATTEMPTED', 'LAST PASS', 'HELD', 'ERROR'];
  const cells = rows.map(({ status: s, alive }) =>
    [
      s.node,
      state(s),
      alive ? 'alive' : 'gone',
      shortRevision(s.lastAppliedRevision),
      shortRevision(s.lastAttemptedRevision),
      s.lastReconcile ? `${s.lastReconcile.durationMs} ms, ${s.lastReconcile.writes} writes` : '-',
      describeHold(s.hold),
      s.lastError ? `${s.lastError.kind} ${s.lastError.code} at ${s.lastError.step}` : '-',
      // Node names and codes come from the repository and the agents: shown, never acted on by the terminal.
    ].map(visible),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...cells.map(line)].join('\n') + '\n';
}
