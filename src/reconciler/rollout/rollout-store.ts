import type { Etcd3 } from 'etcd3';
import { statusKey } from '../agent/etcd-status-store.js';
import type { NodeStatus } from '../agent/node-status.js';
import type { Actor, PinRecord, SuspendRecord } from './node-hold.js';
import {
  CLUSTER_SUSPEND_KEY,
  pinKey,
  ROLLOUT_ABORT_KEY,
  ROLLOUT_PAUSED_KEY,
  ROLLOUT_STATE_KEY,
  suspendKey,
  targetKey,
  TARGETS_PREFIX,
} from './rollout-keys.js';
import type { PauseRecord, RolloutState } from './rollout-state.js';

/** The rollout's keys in etcd, read and written by the coordinator and the CLI alike. */
export class RolloutStore {
  constructor(readonly client: Etcd3) {}

  state(): Promise<RolloutState | null> {
    return this.json<RolloutState>(ROLLOUT_STATE_KEY);
  }

  async writeState(s: RolloutState): Promise<void> {
    await this.client.put(ROLLOUT_STATE_KEY).value(JSON.stringify(s));
  }

  /** Node → the revision the rollout allows it. */
  async targets(): Promise<Map<string, string>> {
    const all = await this.client.getAll().prefix(TARGETS_PREFIX).strings();
    return new Map(
      Object.entries(all).map(([k, v]) => [
        k.slice(TARGETS_PREFIX.length),
        (JSON.parse(v) as { revision: string }).revision,
      ]),
    );
  }

  /** The revision the rollout allows the node; null when it follows the head. */
  async target(node: string): Promise<string | null> {
    return (await this.json<{ revision: string }>(targetKey(node)))?.revision ?? null;
  }

  async setTarget(node: string, revision: string, at: Date): Promise<void> {
    await this.client.put(targetKey(node)).value(JSON.stringify({ revision, at: at.toISOString() }));
  }

  async deleteTarget(node: string): Promise<void> {
    await this.client.delete().key(targetKey(node));
  }

  /** Every node follows the head again: the Cluster declares no rollout. */
  async clearTargets(): Promise<void> {
    await this.client.delete().prefix(TARGETS_PREFIX);
  }

  paused(): Promise<PauseRecord | null> {
    return this.json<PauseRecord>(ROLLOUT_PAUSED_KEY);
  }

  async pause(by: Actor): Promise<void> {
    await this.client.put(ROLLOUT_PAUSED_KEY).value(JSON.stringify(by));
  }

  async resume(): Promise<void> {
    await this.client.delete().key(ROLLOUT_PAUSED_KEY);
  }

  abortRequest(): Promise<Actor | null> {
    return this.json<Actor>(ROLLOUT_ABORT_KEY);
  }

  async requestAbort(by: Actor): Promise<void> {
    await this.client.put(ROLLOUT_ABORT_KEY).value(JSON.stringify(by));
  }

  async clearAbort(): Promise<void> {
    await this.client.delete().key(ROLLOUT_ABORT_KEY);
  }

  /** A node's suspension, or the cluster's when the node has none of its own. */
  async suspension(node: string): Promise<SuspendRecord | null> {
    return (await this.json<SuspendRecord>(suspendKey(node))) ?? (await this.json<SuspendRecord>(CLUSTER_SUSPEND_KEY));
  }

  /** Suspends one node, or every node when `node` is null. */
  async suspend(node: string | null, by: Actor, driftRepair: boolean): Promise<void> {
    const record: SuspendRecord = { ...by, scope: node === null ? 'cluster' : 'node', driftRepair };
    await this.client.put(node === null ? CLUSTER_SUSPEND_KEY : suspendKey(node)).value(JSON.stringify(record));
  }

  /** Lifts a node's suspension, or the cluster's when `node` is null; true when there was one. */
  async unsuspend(node: string | null): Promise<boolean> {
    const res = await this.client.delete().key(node === null ? CLUSTER_SUSPEND_KEY : suspendKey(node));
    return Number(res.deleted) > 0;
  }

  pin(node: string): Promise<PinRecord | null> {
    return this.json<PinRecord>(pinKey(node));
  }

  async setPin(node: string, record: PinRecord): Promise<void> {
    await this.client.put(pinKey(node)).value(JSON.stringify(record));
  }

  async unpin(node: string): Promise<boolean> {
    return Number((await this.client.delete().key(pinKey(node))).deleted) > 0;
  }

  /** Every node's last status, by node. */
  async statuses(): Promise<Map<string, NodeStatus>> {
    const all = await this.client.getAll().prefix('/gitwire/nodes/').strings();
    const out = new Map<string, NodeStatus>();
    for (const [key, text] of Object.entries(all)) {
      if (!key.endsWith('/status')) continue;
      const s = JSON.parse(text) as NodeStatus;
      if (statusKey(s.node) === key) out.set(s.node, s);
    }
    return out;
  }

  private async json<T>(key: string): Promise<T | null> {
    const text = await this.client.get(key).string();
    return text === null ? null : (JSON.parse(text) as T);
  }
}
