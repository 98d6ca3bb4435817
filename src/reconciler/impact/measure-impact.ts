import { computeNodeImpact, type IdentityLabels, type RevisionView } from './compute-impact.js';
import type { FlowRecordSource } from './flow-record-source.js';
import type { ImpactReport, NodeImpact } from './impact-report.js';

export interface MeasureImpactOptions {
  readonly nodes: readonly string[];
  readonly before: RevisionView;
  readonly after: RevisionView;
  readonly source: FlowRecordSource;
  readonly sinceSeconds: number;
  readonly now?: Date;
  readonly clusterIdentities?: IdentityLabels | null;
}

/**
 * Each node's impact from its own records. A node whose records cannot be
 * read is reported with the reason: its impact is unknown, which is not "none".
 */
export async function measureImpact(opts: MeasureImpactOptions): Promise<ImpactReport> {
  const now = opts.now ?? new Date();
  const nodes: NodeImpact[] = [];
  for (const node of opts.nodes) {
    let records;
    try {
      records = await opts.source.records(node, opts.sinceSeconds);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      nodes.push({
        node,
        flowData: { available: false, reason },
        newlyDropped: [],
        newlyAllowed: [],
        unevaluated: [],
        unchanged: 0,
      });
      continue;
    }
    nodes.push(computeNodeImpact({ ...opts, node, records, now }));
  }
  return { from: opts.before.revision, to: opts.after.revision, sinceSeconds: opts.sinceSeconds, at: now, nodes };
}
