import type { CheckResult } from './check-result.js';

/** A revision's failed checks on a node and what the agent did about them: the `health` of the node status. */
export interface HealthFailure {
  /** The revision whose checks failed; the agent does not apply it again until the branch moves. */
  readonly revision: string | null;
  readonly failed: readonly CheckResult[];
  /** The revision restored; null when there was none to go back to (the failed one stays applied) or restoring failed. */
  readonly rolledBackTo: string | null;
  /** From the failed probe to the previous state enforced again; null without a rollback. */
  readonly rollbackSeconds: number | null;
  /** Whether the restored revision's checks pass again; null without a rollback. */
  readonly restoredChecksPassed: boolean | null;
  /** What happened, in a sentence. */
  readonly outcome: string;
  readonly at: string;
}
