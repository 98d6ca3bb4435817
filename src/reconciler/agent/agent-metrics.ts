import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Counter as PacketCounter, Reason } from '../../datapath/maps/index.js';
import { policyName } from './describe-event.js';
import type { MonitoredEvent } from './monitor.js';

export type ReconcileOutcome = 'applied' | 'unchanged' | 'stalled' | 'failed';
const OUTCOMES: readonly ReconcileOutcome[] = ['applied', 'unchanged', 'stalled', 'failed'];

/** Policies named in labels before the rest are folded into `other`, so a repository of many cannot blow up a TSDB. */
export const POLICY_LABEL_LIMIT = 100;

/** Reconcile passes span a no-op (ms) to a cold fetch and compile (tens of s). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const memory = () => process.memoryUsage();

type Datapath = Readonly<Record<Reason, PacketCounter>> | null;

/**
 * What the agent counts. The agent updates the plain fields; prom-client reads
 * them at scrape time (collect), so the agent loop stays free of metric calls.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  readonly reconciles: Record<ReconcileOutcome, number> = { applied: 0, unchanged: 0, stalled: 0, failed: 0 };
  kernelWrites = 0;
  revision: string | null = null;
  ready = false;
  ctGcRuns = 0;
  ctGcRemoved = 0;
  readonly statusWriteErrors: Record<string, number> = {};
  private last = 0;
  private datapath: Datapath = null;
  private readonly policies = new Set<string>();
  private readonly reconcileDuration: Histogram;
  private readonly applyDuration: Histogram;
  private readonly rollbackDuration: Histogram;
  private readonly policyVerdicts: Counter<'policy' | 'direction' | 'result'>;

  constructor(
    readonly node: string,
    private readonly policyLabelLimit = POLICY_LABEL_LIMIT,
  ) {
    const registers = [this.registry];
    const revision = () => ({ node: this.node, revision: this.revision ?? '' });
    labelled('gitwire_reconciles_total', 'Reconcile passes by result.', 'result', () =>
      OUTCOMES.map((r) => [r, this.reconciles[r]]),
    );
    this.reconcileDuration = new Histogram({
      name: 'gitwire_reconcile_duration_seconds',
      help: 'Duration of reconcile passes.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.applyDuration = new Histogram({
      name: 'gitwire_apply_duration_seconds',
      help: 'Duration of the apply step (diff with the kernel and write) of reconcile passes.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.rollbackDuration = new Histogram({
      name: 'gitwire_rollback_seconds',
      help: 'From a failed health check to the last good revision enforced again on the node.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    gauge('gitwire_kernel_writes_total', 'Kernel writes made by reconcile passes.', () => this.kernelWrites, 'counter');
    new Gauge({
      name: 'gitwire_revision_info',
      help: 'The revision the node enforces, as a label.',
      labelNames: ['node', 'revision'],
      registers,
      collect() {
        this.reset();
        this.labels(revision()).set(1);
      },
    });
    gauge('gitwire_ready', '1 when the Ready condition is True.', () => (this.ready ? 1 : 0));
    gauge('gitwire_conntrack_gc_runs_total', 'Conntrack garbage collection runs.', () => this.ctGcRuns, 'counter');
    gauge(
      'gitwire_conntrack_gc_removed_total',
      'Expired conntrack entries removed.',
      () => this.ctGcRemoved,
      'counter',
    );
    labelled('gitwire_status_write_errors_total', 'Status writes that failed, by store.', 'store', () =>
      Object.entries(this.statusWriteErrors),
    );
    labelled('gitwire_datapath_packets_total', 'Packets the datapath counted, by reason.', 'reason', () =>
      Object.entries(this.datapath ?? {}).map(([r, c]) => [r, Number(c.packets)]),
    );
    labelled('gitwire_datapath_bytes_total', 'Bytes the datapath counted, by reason.', 'reason', () =>
      Object.entries(this.datapath ?? {}).map(([r, c]) => [r, Number(c.bytes)]),
    );
    gauge(
      'gitwire_events_lost_total',
      'Datapath events lost to a full ring buffer (never silent: also in gitwire_datapath_packets_total).',
      () => Number(this.datapath?.['event-lost']?.packets ?? 0),
      'counter',
    );
    // The process's own memory under the names Prometheus' Node clients use, read at scrape time.
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss());
    gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', () => memory().heapUsed);
    gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', () => memory().heapTotal);
    gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', () => memory().external);
    this.policyVerdicts = new Counter({
      name: 'gitwire_policy_verdicts_total',
      help: `Datapath events by deciding policy (namespace/name; default-deny or none without a rule; beyond ${policyLabelLimit} policies, other) and result.`,
      labelNames: ['policy', 'direction', 'result'],
      registers,
    });

    // Values the agent keeps itself are read at scrape time; counters keep the Counter type so rate() applies.
    function gauge(name: string, help: string, read: () => number, type: 'counter' | 'gauge' = 'gauge') {
      if (type === 'gauge')
        new Gauge({
          name,
          help,
          registers,
          collect() {
            this.set(read());
          },
        });
      else
        new Counter({
          name,
          help,
          registers,
          collect() {
            this.reset();
            this.inc(read());
          },
        });
    }
    function labelled(name: string, help: string, label: string, read: () => [string, number][]) {
      new Counter({
        name,
        help,
        labelNames: [label],
        registers,
        collect() {
          this.reset();
          for (const [v, n] of read()) this.labels({ [label]: v }).inc(n);
        },
      });
    }
  }

  get lastDurationSeconds(): number {
    return this.last;
  }

  /** The duration of the pass that just ended: kept as the last one and observed in the histogram. */
  set lastDurationSeconds(seconds: number) {
    this.last = seconds;
    this.reconcileDuration.observe(seconds);
  }

  observeApply(seconds: number): void {
    this.applyDuration.observe(seconds);
  }

  observeRollback(seconds: number): void {
    this.rollbackDuration.observe(seconds);
  }

  /** Counts one datapath event against the policy that decided it. */
  countEvent(m: MonitoredEvent): void {
    const result = m.event.type === 'drop' ? 'dropped' : m.event.type === 'audit' ? 'audited' : 'allowed';
    this.policyVerdicts.labels({ policy: this.policyLabel(m), direction: m.event.direction, result }).inc();
  }

  /** The exposition text; `counters` are the datapath's per-reason packet counters, read at scrape time. */
  async render(counters: Datapath): Promise<string> {
    this.datapath = counters;
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private policyLabel(m: MonitoredEvent): string {
    if (!m.rule) return m.event.reason === 'denied-default' ? 'default-deny' : 'none';
    const name = policyName(m.rule);
    if (this.policies.has(name)) return name;
    if (this.policies.size >= this.policyLabelLimit) return 'other';
    this.policies.add(name);
    return name;
  }
}
