import type { Entry, ResourceValues } from '../desired/desired-state.js';
import { APPLY_ORDER, DELETE_ORDER, type DrivenKind } from '../desired/kinds/index.js';
import type { Drivers } from '../datapath/index.js';
import type { Change, ChangeSet } from './change-set.js';

/**
 * Creates and updates run in the registry's derived order (each kind after
 * the kinds it depends on: devices before what lives on them, policy entries
 * before the ipcache and endpoint entries that make them match, maps before
 * the programs that read them), deletes in reverse (programs detached before
 * their maps are emptied, enforcement off before the entries it needed go).
 * So allowed traffic never meets a half-written policy.
 */
export { APPLY_ORDER } from '../desired/kinds/index.js';

export interface ApplyProgress {
  /** Called after each batch, so the caller can report progress. */
  (kind: DrivenKind, action: 'update' | 'delete', count: number): void;
}

export interface ApplyOptions {
  readonly progress?: ApplyProgress;
  /**
   * Kinds whose stale entries must go before new ones are written, because
   * old and new together would not fit in the map (see mapFit). Only for such
   * a kind is the new-before-old guarantee given up; the caller says so to the user.
   */
  readonly deleteFirst?: ReadonlySet<DrivenKind>;
}

/** Writes a ChangeSet to a node through its drivers, in APPLY_ORDER; deletes in DELETE_ORDER. */
export async function apply(set: ChangeSet, drivers: Drivers, opts: ApplyOptions = {}): Promise<void> {
  const { progress, deleteFirst } = opts;
  const deletes = async <K extends DrivenKind>(kind: K) => {
    const entries = pick(set.changes, kind, 'delete');
    if (entries.length === 0) return;
    await drivers[kind].deleteMany(entries);
    progress?.(kind, 'delete', entries.length);
  };
  const updates = async <K extends DrivenKind>(kind: K) => {
    const entries = pick(set.changes, kind, 'update');
    if (entries.length === 0) return;
    await drivers[kind].updateMany(entries);
    progress?.(kind, 'update', entries.length);
  };
  for (const kind of APPLY_ORDER) {
    if (deleteFirst?.has(kind)) await deletes(kind);
    await updates(kind);
  }
  for (const kind of DELETE_ORDER) if (!deleteFirst?.has(kind)) await deletes(kind);
}

/** The entries to delete (their `before`) or to write (their `after`) of one kind. */
function pick<K extends DrivenKind>(
  changes: readonly Change[],
  kind: K,
  what: 'update' | 'delete',
): Entry<ResourceValues[K]>[] {
  const out: Entry<ResourceValues[K]>[] = [];
  for (const c of changes) {
    if (!isKind(c, kind) || (c.action === 'delete') !== (what === 'delete')) continue;
    const value = what === 'delete' ? c.before : c.after;
    if (value !== null) out.push({ key: c.key, value });
  }
  return out;
}

function isKind<K extends DrivenKind>(c: Change, kind: K): c is Change<K> {
  return c.resource === kind;
}
