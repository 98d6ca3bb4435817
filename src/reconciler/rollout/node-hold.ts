/** Who did something and when: `user@host` (or `--by`) and an ISO time. */
export interface Actor {
  readonly by: string;
  readonly at: string;
}

/** A suspended node (or cluster) does not move to new revisions; drift repair towards its revision stays on unless turned off. */
export interface SuspendRecord extends Actor {
  readonly scope: 'node' | 'cluster';
  readonly driftRepair: boolean;
}

/** A pinned node applies this revision whatever the branch or a rollout says. */
export interface PinRecord extends Actor {
  readonly revision: string;
}

/** What holds a node back from the branch head, as its agent last read it from etcd; shown in its status. */
export interface NodeHold {
  readonly suspended: SuspendRecord | null;
  readonly pinned: PinRecord | null;
  /** The revision the rollout allows the node; null when the node follows the branch head. */
  readonly target: string | null;
}
