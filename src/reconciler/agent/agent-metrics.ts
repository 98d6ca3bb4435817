import type { Counter, Reason } from '../../datapath/maps/index.js';

export type ReconcileOutcome = 'applied' | 'unchanged' | 'stalled' | 'failed';
const OUTCOMES: readonly ReconcileOutcome[] = ['applied', 'unchanged', 'stalled', 'failed'];

/** What the agent counts; rendered in Prometheus' text format by render(). */
export class AgentMetrics {
  readonly reconciles: Record<ReconcileOutcome, number> = { applied: 0, unchanged: 0, stalled: 0, failed: 0 };
  lastDurationSeconds = 0;
  kernelWrites = 0;
  revision: string | null = null;
  ready = false;
  ctGcRuns = 0;
  ctGcRemoved = 0;
  readonly statusWriteErrors: Record<string, number> = {};

  constructor(readonly node: string) {}

  /** The exposition text; `counters` are the datapath's per-reason packet counters, read at scrape time. */
  render(counters: Readonly<Record<Reason, Counter>> | null): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, samples: readonly [string, number | bigint][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
    };
    metric(
      'gitwire_reconciles_total',
      'counter',
      'Reconcile passes by result.',
      OUTCOMES.map((r) => [labels({ result: r }), this.reconciles[r]]),
    );
    metric('gitwire_reconcile_duration_seconds', 'gauge', 'Duration of the last reconcile pass.', [
      ['', this.lastDurationSeconds],
    ]);
    metric('gitwire_kernel_writes_total', 'counter', 'Kernel writes made by reconcile passes.', [
      ['', this.kernelWrites],
    ]);
    metric('gitwire_revision_info', 'gauge', 'The revision the node enforces, as a label.', [
      [labels({ node: this.node, revision: this.revision ?? '' }), 1],
    ]);
    metric('gitwire_ready', 'gauge', '1 when the Ready condition is True.', [['', this.ready ? 1 : 0]]);
    metric('gitwire_conntrack_gc_runs_total', 'counter', 'Conntrack garbage collection runs.', [['', this.ctGcRuns]]);
    metric('gitwire_conntrack_gc_removed_total', 'counter', 'Expired conntrack entries removed.', [
      ['', this.ctGcRemoved],
    ]);
    metric(
      'gitwire_status_write_errors_total',
      'counter',
      'Status writes that failed, by store.',
      Object.entries(this.statusWriteErrors).map(([store, n]) => [labels({ store }), n]),
    );
    if (counters) {
      const entries = Object.entries(counters) as [Reason, Counter][];
      metric(
        'gitwire_datapath_packets_total',
        'counter',
        'Packets the datapath counted, by reason.',
        entries.map(([reason, c]) => [labels({ reason }), c.packets]),
      );
      metric(
        'gitwire_datapath_bytes_total',
        'counter',
        'Bytes the datapath counted, by reason.',
        entries.map(([reason, c]) => [labels({ reason }), c.bytes]),
      );
    }
    return out.join('\n') + '\n';
  }
}

function labels(l: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(l).map(
    ([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`,
  );
  return `{${pairs.join(',')}}`;
}
