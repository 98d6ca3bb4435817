import type { Etcd3 } from 'etcd3';
import type { NodeHold, PinRecord, SuspendRecord } from './node-hold.js';
import { CLUSTER_SUSPEND_KEY, pinKey, suspendKey, targetKey } from './rollout-keys.js';

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

interface Target {
  readonly revision: string;
}

/**
 * The gate through etcd: a pin wins, then a suspension, then the rollout's
 * target for the node; with none, the node follows the head. While etcd is
 * away the node keeps to the last answer it had, so an outage never lets a
 * node past the wave it was held at.
 */
export class EtcdRevisionGate implements RevisionGate {
  private last: NodeHold | null = null;

  constructor(
    private readonly client: Etcd3,
    private readonly node: string,
  ) {}

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
    const json = async <T>(key: string): Promise<T | null> => {
      const text = await this.client.get(key).string();
      return text === null ? null : (JSON.parse(text) as T);
    };
    const [target, pinned, node, cluster] = await Promise.all([
      json<Target>(targetKey(this.node)),
      json<PinRecord>(pinKey(this.node)),
      json<SuspendRecord>(suspendKey(this.node)),
      json<SuspendRecord>(CLUSTER_SUSPEND_KEY),
    ]);
    return { target: target?.revision ?? null, pinned, suspended: node ?? cluster };
  }
}
