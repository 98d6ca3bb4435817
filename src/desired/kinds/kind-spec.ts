import type { Entry, ResourceKind } from '../desired-state.js';

/**
 * One resource kind, declared once (as a cilium/statedb table is): everything
 * plan, apply, observe and the fit check need to know about it.
 */
export interface KindSpec<V> {
  /** Renders an entry's key from its value: compile and observe both call this, so they cannot disagree. */
  readonly key: (value: V) => string;
  /**
   * Kinds whose entries must be written before this kind's (and deleted after
   * them). Apply order is derived from these; see applyOrder().
   */
  readonly dependsOn: readonly ResourceKind[];
  /** Whether a live node holds the kind (the datapath drives it); false for compile-only kinds. */
  readonly driven: boolean;
  /**
   * The BPF map that holds exactly one map entry per entry of the kind, so the
   * fit check can compare counts with its max_entries; absent otherwise.
   */
  readonly map?: string;
  /** The readable name a plan shows beside an entry's key. */
  readonly describe: (entry: Entry<V>) => string | undefined;
}
