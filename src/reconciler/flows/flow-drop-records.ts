import { policyName, type MonitoredEvent } from '../agent/index.js';
import type { DroppedFlow } from '../health/index.js';
import type { FlowRecorder } from './flow-recorder.js';
import type { FlowStore } from './flow-store.js';

/** Flows whose latest drop reason is kept; the records themselves are bounded by the store. */
const MAX_REASONS = 10_000;

/**
 * The agent's dropped flows for the per-flow health check: counts from the
 * flow records, and the reason and rule of each flow's latest drop, which the
 * records do not keep, noted from the same events as they are recorded.
 */
export class FlowDropRecords {
  private readonly why = new Map<string, string>();

  constructor(
    private readonly recorder: FlowRecorder,
    private readonly store: FlowStore,
  ) {}

  /** Notes why a dropped event was dropped; other events are ignored. */
  observe(m: MonitoredEvent): void {
    const e = m.event;
    if (e.type !== 'drop') return;
    const key = flowKey(e.srcIdentity, e.dstIdentity, e.dport, e.protocol);
    this.why.delete(key);
    this.why.set(key, dropReason(m));
    // Map order is insertion order: the first key is the flow dropped least recently.
    if (this.why.size > MAX_REASONS) this.why.delete(this.why.keys().next().value!);
  }

  /** The dropped flows recorded so far, pending events included; null while no events are read. */
  async drops(): Promise<DroppedFlow[] | null> {
    if (!(await this.recorder.flush())) return null;
    return this.store
      .flows()
      .filter((f) => f.verdict === 'deny')
      .map((f) => ({
        srcIdentity: f.srcIdentity,
        dstIdentity: f.dstIdentity,
        port: f.port,
        protocol: f.protocol,
        count: f.count,
        why: this.why.get(flowKey(f.srcIdentity, f.dstIdentity, f.port, f.protocol)) ?? null,
      }));
  }
}

/** `denied-policy, policy default/rule1 (policy.yaml:4)`, or for a default deny the policies enforcing it. */
function dropReason(m: MonitoredEvent): string {
  const e = m.event;
  if (m.rule) return `${e.reason}, policy ${policyName(m.rule)} (${m.rule.file}:${m.rule.line})`;
  // Each policy once, at the first of its rules that selects the endpoint.
  const by = new Map<string, string>();
  for (const r of m.enforcedBy ?? []) if (!by.has(policyName(r))) by.set(policyName(r), `${r.file}:${r.line}`);
  const named = [...by].map(([name, at]) => `policy ${name} (${at})`);
  return named.length > 0 ? `${e.reason}, ${e.direction} enforced by ${named.join(', ')}` : e.reason;
}

function flowKey(src: number, dst: number, port: number, protocol: number): string {
  return `${src}/${dst}/${port}/${protocol}`;
}
