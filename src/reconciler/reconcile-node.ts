import {
  compile,
  endpointNetnsPrefix,
  type Diagnostic,
  type DesiredState,
  type SourceOptions,
} from '../desired/index.js';
import { DRIVEN_KINDS, NodeDatapath, StalledError, type DrivenKind } from '../datapath/index.js';
import { apply } from './apply.js';
import type { ChangeSet } from './change-set.js';
import { loadRevision, type RevisionCaches } from './load-revision.js';
import { plan } from './plan.js';

export interface ReconcileOptions {
  readonly repo: string;
  readonly source?: SourceOptions;
  readonly node: string;
  /** Network namespace the node lives in; null/undefined = this process's own. */
  readonly nodeNs?: string | null;
  readonly bpffsRoot?: string;
  /** Plan against the live node and stop: nothing is written. */
  readonly dryRun?: boolean;
  /** Already fetched and compiled (the agent keeps its commit's): skips fetch → compile. */
  readonly compiled?: CompiledRevision;
}

/** A commit compiled for one node: what the first steps of a pass produce. */
export interface CompiledRevision {
  readonly revision: string | null;
  readonly desired: DesiredState;
  readonly warnings: readonly Diagnostic[];
}

/** Fetch → parse → validate → compile for one node; throws ValidationError on a bad commit. */
export async function compileRevision(
  repo: string,
  source: SourceOptions | undefined,
  node: string,
  caches?: RevisionCaches,
): Promise<CompiledRevision> {
  const loaded = await loadRevision(repo, source, caches);
  const desired = compile(loaded.model, node, caches ? { cache: caches.compile } : {});
  return { revision: loaded.revision, desired, warnings: [...loaded.warnings, ...desired.warnings] };
}

export interface ReconcileResult {
  readonly revision: string | null;
  /** What the node needed when observed. */
  readonly changes: ChangeSet;
  /** Kernel writes performed (0 on a dry run or when the node already matched). */
  readonly writes: number;
  /** What still differs after applying, read back from the kernel; empty when converged. */
  readonly remaining: ChangeSet | null;
  readonly warnings: readonly Diagnostic[];
}

/**
 * One pass of the reconcile loop for one node: fetch → parse → validate →
 * compile → observe → plan → apply → verify. A commit that fails validation
 * throws before the kernel is touched, so the node keeps the last good state.
 */
export async function reconcileNode(opts: ReconcileOptions): Promise<ReconcileResult> {
  const { revision, desired, warnings } = opts.compiled ?? (await compileRevision(opts.repo, opts.source, opts.node));
  const nodeOpts = {
    node: opts.node,
    nodeNs: opts.nodeNs ?? null,
    ...(opts.bpffsRoot ? { bpffsRoot: opts.bpffsRoot } : {}),
  };
  const node = opts.dryRun ? NodeDatapath.openReadOnly(nodeOpts) : NodeDatapath.open(nodeOpts);
  try {
    const before = node.writes;
    const keep = desired.resources.endpoint.map((e) => e.value.netns);
    if (!opts.dryRun) await node.sweepNetnsLeftovers(endpointNetnsPrefix(opts.node), keep);
    const planOpts = { from: 'live', to: revision, kinds: DRIVEN_KINDS };
    const changes = plan(desired, await node.observe(), planOpts);
    if (opts.dryRun || changes.changes.length === 0) {
      return { revision, changes, writes: node.writes - before, remaining: null, warnings };
    }
    const deleteFirst = checkFits(desired, changes, node);
    await apply(changes, node.drivers, { deleteFirst });
    // A namespace a crash left unmarked is pristine only once apply has pruned the veth into it.
    await node.sweepNetnsLeftovers(endpointNetnsPrefix(opts.node), keep);
    const remaining = plan(desired, await node.observe(), planOpts);
    const all = [...warnings, ...[...deleteFirst].map((kind) => transitionWarning(kind, node.node))];
    return { revision, changes, writes: node.writes - before, remaining, warnings: all };
  } finally {
    node.close();
  }
}

type Datapath = NodeDatapath['datapath'];

/** The node's BPF maps that a commit's policies and endpoints fill. */
const SIZED_KINDS = {
  policy: (d: Datapath) => d.policy.map,
  ipcache: (d: Datapath) => d.ipcache.map,
  lxc: (d: Datapath) => d.endpoints.map,
} as const;

/**
 * Refuses a commit with more entries of a kind than the node's map holds
 * before anything is written: the kernel would take the first max_entries
 * and fail the rest, leaving the node half-applied.
 */
/**
 * Refuses a commit whose entries cannot fit in the node's maps, before any
 * write. Returns the kinds where the commit fits but old and new entries
 * together would not (new are written before stale ones go): for those,
 * stale entries must be deleted first.
 */
function checkFits(desired: DesiredState, changes: ChangeSet, node: NodeDatapath): Set<DrivenKind> {
  const deleteFirst = new Set<DrivenKind>();
  for (const [kind, mapOf] of Object.entries(SIZED_KINDS)) {
    const need = desired.resources[kind as keyof typeof SIZED_KINDS].length;
    const map = mapOf(node.datapath);
    if (need > map.info.maxEntries) {
      throw new StalledError(
        'apply',
        `the commit needs ${need} ${kind} entries on node ${node.node}; its ${map.name} map holds ${map.info.maxEntries}`,
        { kind, need, maxEntries: map.info.maxEntries },
      );
    }
    const stale = changes.byResource[kind as keyof typeof SIZED_KINDS]?.delete ?? 0;
    if (need + stale > map.info.maxEntries) deleteFirst.add(kind as DrivenKind);
  }
  return deleteFirst;
}

function transitionWarning(kind: DrivenKind, node: string): Diagnostic {
  return {
    severity: 'warning',
    code: 'W_APPLY_DELETE_FIRST',
    file: '',
    line: 0,
    path: '',
    message: `node ${node}: old and new ${kind} entries together exceed the map, so stale ones are deleted before new ones are written; traffic they decided may be dropped for a moment`,
  };
}
