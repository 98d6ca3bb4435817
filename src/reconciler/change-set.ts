import type { DesiredInputs, ResourceKind, ResourceValues } from '../desired/desired-state.js';

export type Action = 'create' | 'update' | 'delete';

/** One planned change: `before` is null for create, `after` is null for delete. */
export interface Change<K extends ResourceKind = ResourceKind> {
  readonly resource: K;
  readonly key: string;
  readonly action: Action;
  readonly before: ResourceValues[K] | null;
  readonly after: ResourceValues[K] | null;
  /** Readable name (labels, policy or service name) to show next to the key. */
  readonly label?: string;
}

export type ActionCounts = Readonly<Record<Action, number>>;

export interface ChangeSet {
  readonly node: string;
  /** Revision the `before` side came from (a commit, or "live"), and the one planned towards, as plans show them. */
  readonly from: string | null;
  readonly to: string | null;
  /** The inputs the desired side was compiled from (commit and cluster generation), and the `before` side's when compiled. */
  readonly inputs: { readonly from: DesiredInputs | null; readonly to: DesiredInputs };
  /** Sorted by resource kind (in RESOURCE_KINDS order), then key. */
  readonly changes: readonly Change[];
  readonly summary: ActionCounts;
  readonly byResource: Readonly<Partial<Record<ResourceKind, ActionCounts>>>;
}
