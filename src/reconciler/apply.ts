import type { Entry } from '../desired/desired-state.js';
import { DRIVEN_KINDS, type DrivenKind, type Drivers } from '../datapath/index.js';
import type { Change, ChangeSet } from './change-set.js';

/**
 * The order creates and updates run in: the datapath's DRIVEN_KINDS order
 * (devices before what lives on them, maps before the programs that read
 * them), except that policy entries come before the ipcache entries that make
 * peers match them and before the endpoint entries that turn enforcement on,
 * so a newly enforced direction already holds its allows; within the policy
 * map, new entries before stale ones go. Deletes run the other way round:
 * programs are detached before their maps are emptied and their devices
 * removed, enforcement is off before the entries it needed go. So allowed
 * traffic never meets a half-written policy.
 */
export const APPLY_ORDER: readonly DrivenKind[] = DRIVEN_KINDS.flatMap((k): DrivenKind[] =>
  k === 'policy' ? [] : k === 'ipcache' ? ['policy', k] : [k],
);

export interface ApplyProgress {
  /** Called after each batch, so the caller can report progress. */
  (kind: DrivenKind, action: 'update' | 'delete', count: number): void;
}

export interface ApplyOptions {
  readonly progress?: ApplyProgress;
  /**
   * Kinds whose stale entries must go before new ones are written, because
   * old and new together would not fit in the map. Only for such a kind is
   * the new-before-old guarantee given up; the caller says so to the user.
   */
  readonly deleteFirst?: ReadonlySet<DrivenKind>;
}

/** Writes a ChangeSet to a node through its drivers, in APPLY_ORDER. */
export async function apply(set: ChangeSet, drivers: Drivers, opts: ApplyOptions = {}): Promise<void> {
  const { progress, deleteFirst } = opts;
  const deletes = async (kind: DrivenKind) => {
    const entries = pick(
      set.changes,
      kind,
      (c) => c.action === 'delete',
      (c) => c.before,
    );
    if (entries.length === 0) return;
    await (drivers[kind].deleteMany as (e: readonly Entry<unknown>[]) => Promise<void>)(entries);
    progress?.(kind, 'delete', entries.length);
  };
  for (const kind of APPLY_ORDER) {
    if (deleteFirst?.has(kind)) await deletes(kind);
    const entries = pick(
      set.changes,
      kind,
      (c) => c.action !== 'delete',
      (c) => c.after,
    );
    if (entries.length === 0) continue;
    await (drivers[kind].updateMany as (e: readonly Entry<unknown>[]) => Promise<void>)(entries);
    progress?.(kind, 'update', entries.length);
  }
  for (const kind of [...APPLY_ORDER].reverse()) if (!deleteFirst?.has(kind)) await deletes(kind);
}

function pick(
  changes: readonly Change[],
  kind: DrivenKind,
  want: (c: Change) => boolean,
  side: (c: Change) => unknown,
): Entry<unknown>[] {
  return changes.filter((c) => c.resource === kind && want(c)).map((c) => ({ key: c.key, value: side(c) }));
}
