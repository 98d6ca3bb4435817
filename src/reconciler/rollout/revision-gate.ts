import type { Etcd3 } from 'etcd3';
import type { NodeHold } from './node-hold.js';
import { RolloutStore } from './rollout-store.js';

/** What a node may apply now: `rev` (the head when nothing holds it back), and why. */
export interface GateAnswer extends NodeHold {
  readonly rev: string;
}

/** Asked by the agent's fetch step, with the branch head, which revision to apply. */
export interface RevisionGate {
  target(head: string): Promise<GateAnswer>;
}

/** etcd did not answer and the gate has no earlier answer to keep to: the pass is retried. */
export class GateUnreachableError extends Error {
  readonly code = 'E_GATE_UNREACHABLE';
  readonly errorKind = 'transient';
  constructor(cause: unknown) {
    super(`rollout gate: etcd did not answer (${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = 'GateUnreachableError';
  }
}

/**
 * The gate through etcd: `rev` is the node's pin, else the rollout's target
 * for it, else the head; a suspension (which the agent reads first) keeps the
 * node where it is whatever `rev` says. While etcd is
 * away the node keeps to the last answer it had, so an outage never lets a
 * node past the wave it was held at.
 */
export class EtcdRevisionGate implements RevisionGate {
  private last: NodeHold | null = null;
  private readonly store: RolloutStore;

  constructor(
    client: Etcd3,
    private readonly node: string,
  ) {
    this.store = new RolloutStore(client);
  }

  async target(head: string): Promise<GateAnswer> {
    let hold: NodeHold;
    try {
      hold = await this.read();
      this.last = hold;
    } catch (e) {
      if (!this.last) throw new GateUnreachableError(e);
      hold = this.last;
    }
    return { ...hold, rev: hold.pinned?.revision ?? hold.target ?? head };
  }

  private async read(): Promise<NodeHold> {
    const [target, pinned, suspended] = await Promise.all([
      this.store.target(this.node),
      this.store.pin(this.node),
      this.store.suspension(this.node),
    ]);
    return { target, pinned, suspended };
  }
}
