import type { FlowRecord } from '../flows/flow-store.js';
import type { Verdict } from '../flows/event-filter.js';
import type { FlippedFlow, ImpactPeer, NodeImpact, ObservedFlow, UnevaluatedFlow } from './impact-report.js';
import { flowVerdict, type Outcome, type RevisionView } from './internal/flow-verdict.js';
import { resolveIdentity, revisionIdentities, type IdentityLabels } from './internal/identity-names.js';

export type { RevisionView } from './internal/flow-verdict.js';
export type { IdentityLabels } from './internal/identity-names.js';

/** A flow seen this recently is flagged first: a change would cut traffic that is live. */
export const RECENT_MS = 3_600_000;

export interface NodeImpactInput {
  readonly node: string;
  /** Revision A, what the node holds before the change, and revision B. */
  readonly before: RevisionView;
  readonly after: RevisionView;
  readonly records: readonly FlowRecord[];
  readonly now: Date;
  /** The cluster's identity store (etcd), the authority on the numbers agents recorded. */
  readonly clusterIdentities?: IdentityLabels | null;
}

/**
 * The node's observed flows whose verdict changes from A to B. Records of
 * one flow (same identities, port, protocol; one per verdict recorded) are
 * summed; each flow's ends are resolved to labels, and explain gives its
 * verdict in each revision from those labels, so a number that moved between
 * revisions still means the same workload.
 */
export function computeNodeImpact(input: NodeImpactInput): NodeImpact {
  const tables = [revisionIdentities(input.before.states), revisionIdentities(input.after.states)];
  const peers = new Map<number, ImpactPeer>();
  const peer = (id: number): ImpactPeer => {
    let p = peers.get(id);
    if (!p) {
      const r = resolveIdentity(id, tables, input.clusterIdentities ?? null);
      p =
        'unresolved' in r
          ? { identity: id, labels: null, endpoints: [], unresolved: r.unresolved }
          : { identity: id, labels: r.labels, endpoints: endpointsWith(r.labels, [input.before, input.after]) };
      peers.set(id, p);
    }
    return p;
  };
  const newlyDropped: FlippedFlow[] = [];
  const newlyAllowed: FlippedFlow[] = [];
  const unevaluated: UnevaluatedFlow[] = [];
  let unchanged = 0;
  const flows = merge(input.records, input.now, peer);
  for (const flow of flows) {
    const { source: s, destination: d } = flow;
    if (!s.labels || !d.labels) {
      unevaluated.push({ ...flow, reason: (s.unresolved ?? d.unresolved)! });
      continue;
    }
    const ends = [
      { labels: s.labels, endpoints: s.endpoints },
      { labels: d.labels, endpoints: d.endpoints },
    ] as const;
    const before = flowVerdict(input.before, input.node, ...ends, flow.port, flow.protocol);
    const after = flowVerdict(input.after, input.node, ...ends, flow.port, flow.protocol);
    if (!('verdict' in before) || !('verdict' in after)) {
      unevaluated.push({ ...flow, reason: whyNot(before) ?? whyNot(after)! });
      continue;
    }
    if (before.verdict.allowed === after.verdict.allowed) unchanged += 1;
    else
      (after.verdict.allowed ? newlyAllowed : newlyDropped).push({
        ...flow,
        before: before.verdict,
        after: after.verdict,
      });
  }
  const events = flows.reduce((n, f) => n + f.count, 0);
  return {
    node: input.node,
    flowData: { available: true, flows: flows.length, events },
    newlyDropped: newlyDropped.sort(byUrgency),
    newlyAllowed: newlyAllowed.sort(byUrgency),
    unevaluated: unevaluated.sort(byUrgency),
    unchanged,
  };
}

function merge(records: readonly FlowRecord[], now: Date, peer: (id: number) => ImpactPeer): ObservedFlow[] {
  const byFlow = new Map<string, { r: FlowRecord; count: number; first: number; last: number; seen: Set<Verdict> }>();
  for (const r of records) {
    const id = [r.srcIdentity, r.dstIdentity, r.port, r.protocol].join('/');
    const f = byFlow.get(id);
    if (!f) {
      byFlow.set(id, {
        r,
        count: r.count,
        first: r.firstSeen.getTime(),
        last: r.lastSeen.getTime(),
        seen: new Set([r.verdict]),
      });
      continue;
    }
    f.count += r.count;
    f.first = Math.min(f.first, r.firstSeen.getTime());
    f.last = Math.max(f.last, r.lastSeen.getTime());
    f.seen.add(r.verdict);
  }
  return [...byFlow.values()].map(({ r, count, first, last, seen }) => ({
    source: peer(r.srcIdentity),
    destination: peer(r.dstIdentity),
    port: r.port,
    protocol: r.protocol,
    count,
    firstSeen: new Date(first),
    lastSeen: new Date(last),
    recent: now.getTime() - last <= RECENT_MS,
    observed: [...seen].sort(),
  }));
}

/** `namespace/name` of the endpoints with exactly these labels, in the first revision that has any. */
function endpointsWith(labels: readonly string[], revisions: readonly RevisionView[]): string[] {
  const wanted = labels.join(',');
  for (const rev of revisions) {
    const ids = new Set(
      [...revisionIdentities(rev.states)].filter(([, l]) => l.join(',') === wanted).map(([id]) => id),
    );
    const names = [...rev.states.values()]
      .flatMap((s) => s.resources.endpoint.filter((e) => ids.has(e.value.identity)))
      .map((e) => `${e.value.namespace}/${e.value.name}`);
    if (names.length > 0) return [...new Set(names)].sort();
  }
  return [];
}

const whyNot = (o: Outcome): string | null => ('unevaluated' in o ? o.unevaluated : null);

function byUrgency(a: ObservedFlow, b: ObservedFlow): number {
  return Number(b.recent) - Number(a.recent) || b.lastSeen.getTime() - a.lastSeen.getTime() || b.count - a.count;
}
