import type { Etcd3, Watcher } from 'etcd3';
import { CLUSTER_SUSPEND_KEY, pinKey, suspendKey, targetKey } from './rollout-keys.js';

/**
 * Calls `onChange` when the node's target, pin or suspension (its own or the
 * cluster's) changes, so the agent moves at once instead of on its next poll.
 */
export async function watchHold(
  client: Etcd3,
  node: string,
  onChange: () => void,
): Promise<{ close(): Promise<void> }> {
  const keys = [targetKey(node), pinKey(node), suspendKey(node), CLUSTER_SUSPEND_KEY];
  const watchers: Watcher[] = await Promise.all(keys.map((k) => client.watch().key(k).create()));
  for (const w of watchers) w.on('put', onChange).on('delete', onChange);
  return { close: async () => void (await Promise.all(watchers.map((w) => w.cancel().catch(() => undefined)))) };
}
