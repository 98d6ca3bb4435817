import type {
  DesiredInputs,
  DesiredState,
  Entry,
  ObservedState,
  ResourceKind,
  ResourceValues,
} from '../desired/desired-state.js';
import { kindSpec, RESOURCE_KINDS } from '../desired/kinds/index.js';
import type { Action, ActionCounts, Change, ChangeSet } from './change-set.js';
import { compareKeys } from '../desired/compile.js';
import { sameValue } from './internal/same-value.js';

export interface PlanOptions {
  /** Revision label of the observed side ("live", or a commit) and of the desired side (default: its commit). */
  readonly from?: string | null;
  readonly to?: string | null;
  /** The observed side's inputs, when it was compiled rather than read from a node. */
  readonly fromInputs?: DesiredInputs | null;
  /** Only these kinds are diffed; default: every kind the observed side reports. */
  readonly kinds?: readonly ResourceKind[];
}

/**
 * Diffs what a node should hold against what it holds. Pure: never touches the
 * kernel. Kinds the observed side does not report are left out, so a partial
 * observer never plans the deletion of what it cannot see.
 */
export function plan(desired: DesiredState, observed: ObservedState, opts: PlanOptions = {}): ChangeSet {
  const kinds = opts.kinds ?? RESOURCE_KINDS.filter((k) => observed.resources[k] !== undefined);
  const changes: Change[] = [];
  const byResource: Partial<Record<ResourceKind, ActionCounts>> = {};
  for (const kind of RESOURCE_KINDS) {
    if (!kinds.includes(kind)) continue;
    const found = diffKind(kind, desired.resources[kind], observed.resources[kind] ?? []);
    if (found.length === 0) continue;
    // Not push(...found): spreading a kind's hundreds of thousands of changes overflows the stack.
    for (const c of found) changes.push(c);
    byResource[kind] = countActions(found);
  }
  return {
    node: desired.node,
    from: withGeneration(opts.from ?? null, opts.fromInputs?.generation ?? 0),
    to: withGeneration(opts.to ?? desired.inputs.commit, desired.inputs.generation),
    inputs: { from: opts.fromInputs ?? null, to: desired.inputs },
    changes,
    summary: countActions(changes),
    byResource,
  };
}

/** A revision label naming the cluster generation too, once there is one: `0123456789ab @ generation 7`. */
export function withGeneration(label: string | null, generation: number): string | null {
  if (generation === 0) return label;
  const commit = label === null ? 'working tree' : /^[0-9a-f]{40}$/.test(label) ? label.slice(0, 12) : label;
  return `${commit} @ generation ${generation}`;
}

/** An observed state holding nothing: what a fresh node looks like. */
export function emptyObserved(node: string): ObservedState {
  const resources = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, []]));
  return { node, resources };
}

/** Reads a compiled desired state as if a node held it, to plan between two commits. */
export function asObserved(state: DesiredState): ObservedState {
  return { node: state.node, resources: state.resources };
}

// The agent plans every pass against the same frozen desired lists: each
// list's key → position index is built once, not a map of the observed side per pass.
const positions = new WeakMap<readonly Entry<unknown>[], ReadonlyMap<string, number>>();

function positionsOf(list: readonly Entry<unknown>[]): ReadonlyMap<string, number> {
  const kept = positions.get(list);
  if (kept) return kept;
  const index = new Map(list.map((e, i) => [e.key, i]));
  if (Object.isFrozen(list)) positions.set(list, index);
  return index;
}

function diffKind<K extends ResourceKind>(
  kind: K,
  want: readonly Entry<ResourceValues[K]>[],
  have: readonly Entry<ResourceValues[K]>[],
): Change<K>[] {
  // A compile cache hands both commits the same frozen list when nothing in it changed.
  if (want === have) return [];
  const { describe } = kindSpec(kind);
  const at = positionsOf(want);
  const seen = new Uint8Array(want.length);
  const out: Change<K>[] = [];
  for (const h of have) {
    const i = at.get(h.key);
    const w = i === undefined ? undefined : want[i];
    if (i === undefined || w === undefined) out.push(change(kind, 'delete', h.key, h, null, describe(h)));
    else if (seen[i] === 0) {
      seen[i] = 1;
      if (!sameValue(h.value, w.value))
        out.push(change(kind, 'update', w.key, h, w, w.label !== undefined ? describe(w) : describe(h)));
    }
  }
  want.forEach((w, i) => {
    if (seen[i] === 0) out.push(change(kind, 'create', w.key, null, w, describe(w)));
  });
  return out.sort((a, b) => compareKeys(a.key, b.key));
}

function change<K extends ResourceKind>(
  resource: K,
  action: Action,
  key: string,
  before: Entry<ResourceValues[K]> | null,
  after: Entry<ResourceValues[K]> | null,
  label: string | undefined,
): Change<K> {
  const b = before?.value ?? null;
  const a = after?.value ?? null;
  // One object per change, not a copy with the label: a first apply plans every desired entry.
  return label === undefined
    ? { resource, key, action, before: b, after: a }
    : { resource, key, action, before: b, after: a, label };
}

function countActions(changes: readonly Change[]): ActionCounts {
  const counts = { create: 0, update: 0, delete: 0 };
  for (const c of changes) counts[c.action]++;
  return counts;
}
