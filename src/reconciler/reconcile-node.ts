import {
  compile,
  endpointNetnsPrefix,
  type Diagnostic,
  type DesiredInputs,
  type DesiredState,
  type SourceOptions,
} from '../desired/index.js';
import { DRIVEN_KINDS, mapFit, type DrivenKind } from '../desired/kinds/index.js';
import { NodeDatapath, StalledError } from '../datapath/index.js';
import { apply } from './apply.js';
import type { ChangeSet } from './change-set.js';
import { modelLabelSets, type IdentityAllocator } from '../desired/identity/index.js';
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
  /** Already fetched and compiled (the agent keeps its inputs'): skips fetch → compile. */
  readonly compiled?: CompiledRevision;
  /** The node, opened by a caller that keeps it across passes (the agent): used as is and left open. */
  readonly datapath?: NodeDatapath;
}

/** A commit (and cluster generation) compiled for one node: what the first steps of a pass produce. */
export interface CompiledRevision {
  readonly inputs: DesiredInputs;
  readonly desired: DesiredState;
  readonly warnings: readonly Diagnostic[];
}

/**
 * Fetch → parse → validate → compile for one node; throws ValidationError on
 * a bad commit. `generation` is the cluster generation the result is for (0
 * until cluster membership is an input of compile).
 */
export async function compileRevision(
  repo: string,
  source: SourceOptions | undefined,
  node: string,
  caches?: RevisionCaches,
  generation = 0,
  allocator?: IdentityAllocator,
): Promise<CompiledRevision> {
  const loaded = await loadRevision(repo, source, caches);
  // A cluster store hands out identities cluster-wide; without one, compile hashes labels the same on every node.
  const identities = allocator ? await allocator.allocate(modelLabelSets(loaded.model)) : undefined;
  const compiled = compile(loaded.model, node, {
    ...(caches ? { cache: caches.compile } : {}),
    ...(identities ? { identities } : {}),
  });
  const inputs = { commit: loaded.revision, generation };
  const desired = Object.freeze({ ...compiled, inputs: Object.freeze(inputs) });
  return { inputs, desired, warnings: [...loaded.warnings, ...desired.warnings] };
}

export interface ReconcileResult {
  readonly inputs: DesiredInputs;
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
  const { inputs, desired, warnings } = opts.compiled ?? (await compileRevision(opts.repo, opts.source, opts.node));
  const nodeOpts = {
    node: opts.node,
    nodeNs: opts.nodeNs ?? null,
    ...(opts.bpffsRoot ? { bpffsRoot: opts.bpffsRoot } : {}),
  };
  const node = opts.datapath ?? (opts.dryRun ? NodeDatapath.openReadOnly(nodeOpts) : NodeDatapath.open(nodeOpts));
  try {
    const before = node.writes;
    const keep = desired.resources.endpoint.map((e) => e.value.netns);
    if (!opts.dryRun) await node.sweepNetnsLeftovers(endpointNetnsPrefix(opts.node), keep);
    const planOpts = { from: 'live', kinds: DRIVEN_KINDS };
    // Observed against the desired state: what the kernel holds as desired is not decoded, and plans the same.
    const changes = plan(desired, await node.observe({ against: desired }), planOpts);
    if (opts.dryRun || changes.changes.length === 0) {
      return { inputs, changes, writes: node.writes - before, remaining: null, warnings };
    }
    const deleteFirst = checkFits(desired, changes, node);
    await apply(changes, node.drivers, { deleteFirst });
    // A namespace a crash left unmarked is pristine only once apply has pruned the veth into it.
    await node.sweepNetnsLeftovers(endpointNetnsPrefix(opts.node), keep);
    const remaining = plan(desired, await node.observe({ against: desired }), planOpts);
    const all = [...warnings, ...[...deleteFirst].map((kind) => transitionWarning(kind, node.node))];
    return { inputs, changes, writes: node.writes - before, remaining, warnings: all };
  } finally {
    if (!opts.datapath) node.close();
  }
}

/**
 * Refuses a commit whose entries cannot fit in the node's maps, before any
 * write: the kernel would take the first max_entries and fail the rest,
 * leaving the node half-applied. Returns the kinds where the commit fits but
 * old and new entries together would not: for those, stale entries must be
 * deleted first. Every kind the registry gives a map is checked.
 */
function checkFits(desired: DesiredState, changes: ChangeSet, node: NodeDatapath): Set<DrivenKind> {
  const deleteFirst = new Set<DrivenKind>();
  for (const kind of DRIVEN_KINDS) {
    const capacity = node.capacity(kind);
    if (!capacity) continue;
    const need = desired.resources[kind].length;
    const stale = changes.byResource[kind]?.delete ?? 0;
    const fit = mapFit(need, stale, capacity.maxEntries);
    if (fit === 'overflow') {
      throw new StalledError(
        'apply',
        `the commit needs ${need} ${kind} entries on node ${node.node}; its ${capacity.map} map holds ${capacity.maxEntries}`,
        { kind, need, maxEntries: capacity.maxEntries },
      );
    }
    if (fit === 'delete-first') deleteFirst.add(kind);
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
