import type { Entry } from '../../desired/desired-state.js';

/**
 * The statedb-reconciler shape every node plumbing driver has.
 *
 * - `update` is idempotent: it reads the live object first and writes only what
 *   differs, so re-applying the same entry performs no writes.
 * - `delete` of something absent (or not owned by gitwire) succeeds.
 * - `prune` collects the owned objects first and deletes the undeclared ones after.
 * - `observe` reads only what gitwire owns, in the shape of the desired entries.
 * - The `Many` variants batch the kernel calls (one iproute2 process per
 *   namespace instead of one per entry); prefer them for more than a few entries.
 * - `writes` counts kernel writes issued since construction (one per iproute2
 *   command that changes something), so tests can prove a no-op.
 */
export interface NetOps<V> {
  update(entry: Entry<V>): Promise<void>;
  updateMany(entries: readonly Entry<V>[]): Promise<void>;
  delete(entry: Entry<V>): Promise<void>;
  deleteMany(entries: readonly Entry<V>[]): Promise<void>;
  prune(allDesired: readonly Entry<V>[]): Promise<void>;
  observe(): Promise<Entry<V>[]>;
  readonly writes: number;
}
