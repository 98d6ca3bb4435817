import type { Actor } from './node-hold.js';

/**
 * Progressing (a wave is updating), Pausing (between waves), Completed (every
 * node has the revision, or the revision went everywhere at once), Halted (a
 * node failed on it: its wave went back), Aborted (a user called it off).
 */
export type RolloutPhase = 'Progressing' | 'Pausing' | 'Completed' | 'Halted' | 'Aborted';

/** Pending (not its wave's turn), Updating (target set, not Ready yet), Ready, Failed, RolledBack, Skipped (suspended or pinned). */
export type NodeRolloutPhase = 'Pending' | 'Updating' | 'Ready' | 'Failed' | 'RolledBack' | 'Skipped';

export interface NodeRollout {
  readonly phase: NodeRolloutPhase;
  readonly since: string;
  /** Why a node is Failed or Skipped, or what an Updating node waits for (its agent gone). */
  readonly message?: string;
}

export interface RolloutHalt {
  readonly reason: 'NodeFailed' | 'Aborted';
  readonly node: string | null;
  readonly message: string;
  readonly at: string;
}

/** The coordinator's record in etcd: what it rolls out, where it is, and why it stopped; any coordinator carries on from it. */
export interface RolloutState {
  readonly revision: string;
  /** The revision every node had before (the last completed one): where a failed wave goes back to. */
  readonly previous: string | null;
  /** The revision's Cluster declares a rollout: the nodes follow their targets, not the head. */
  readonly staged: boolean;
  readonly phase: RolloutPhase;
  readonly waves: readonly (readonly string[])[];
  readonly maxUnavailable: readonly number[];
  readonly pauseMs: number;
  /** Index of the wave under way (waves.length once completed). */
  readonly wave: number;
  readonly nodes: Readonly<Record<string, NodeRollout>>;
  readonly halted: RolloutHalt | null;
  readonly pauseUntil: string | null;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** The agent that coordinated last. */
  readonly coordinator: string;
}

/** `rollout pause` writes it; while present, no further node gets the new revision. */
export type PauseRecord = Actor;

export function inProgress(s: RolloutState): boolean {
  return s.phase === 'Progressing' || s.phase === 'Pausing';
}
