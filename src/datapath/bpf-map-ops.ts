import type { Entry, IpcacheValue, LxcValue, PolicyValue } from '../desired/desired-state.js';
import { KINDS } from '../desired/kinds/index.js';
import { ifIndex, inNetns } from './libbpf/index.js';
import type { EndpointMap, IpcacheMap, PolicyMap, TypedMap } from './maps/index.js';
import type { NetOps } from './net/index.js';

// Drivers for the node's BPF maps, in the shape every driver has (NetOps):
// update/delete in batches, prune collecting first and deleting after (never
// while iterating a map), observe as DesiredState entries, and a count of
// kernel writes so a test can prove a no-op apply wrote nothing.

abstract class MapOps<V, K> implements NetOps<V> {
  constructor(protected readonly map: TypedMap<K, unknown>) {}

  get writes(): number {
    return this.map.stats.updates + this.map.stats.deletes;
  }

  protected abstract keyOf(v: V): K;
  abstract updateMany(entries: readonly Entry<V>[]): Promise<void>;
  abstract observe(): Promise<Entry<V>[]>;

  update(entry: Entry<V>): Promise<void> {
    return this.updateMany([entry]);
  }

  delete(entry: Entry<V>): Promise<void> {
    return this.deleteMany([entry]);
  }

  async deleteMany(entries: readonly Entry<V>[]): Promise<void> {
    this.map.removeMany(entries.map((e) => this.keyOf(e.value)));
  }

  async prune(allDesired: readonly Entry<V>[]): Promise<void> {
    const keep = new Set(allDesired.map((e) => e.key));
    const stale = (await this.observe()).filter((e) => !keep.has(e.key));
    await this.deleteMany(stale);
  }
}

export class IpcacheOps extends MapOps<IpcacheValue, string> {
  constructor(private readonly ipcache: IpcacheMap) {
    super(ipcache);
  }

  protected keyOf(v: IpcacheValue): string {
    return v.prefix;
  }

  async updateMany(entries: readonly Entry<IpcacheValue>[]): Promise<void> {
    this.ipcache.write(entries.map((e) => e.value));
  }

  async observe(): Promise<Entry<IpcacheValue>[]> {
    return this.ipcache.read().map((value) => ({ key: KINDS.ipcache.key(value), value }));
  }
}

export class PolicyOps extends MapOps<PolicyValue, PolicyValue> {
  constructor(private readonly policy: PolicyMap) {
    super(policy as unknown as TypedMap<PolicyValue, unknown>);
  }

  protected keyOf(v: PolicyValue): PolicyValue {
    return v;
  }

  async updateMany(entries: readonly Entry<PolicyValue>[]): Promise<void> {
    this.policy.write(entries.map((e) => e.value));
  }

  async observe(): Promise<Entry<PolicyValue>[]> {
    return this.policy.read().map((value) => ({ key: KINDS.policy.key(value), value }));
  }
}

/**
 * The BPF endpoint map. The kernel entry holds the host veth's ifindex, which
 * the declaration cannot know: it is resolved on write, and on observe an
 * entry whose ifindex no longer names its veth (the device was recreated)
 * reads back with `ifName` "(ifindex N)", so the plan shows it and apply repairs it.
 */
export class LxcOps extends MapOps<LxcValue, string> {
  constructor(
    private readonly endpoints: EndpointMap,
    private readonly nodeNs: string | null,
  ) {
    super(endpoints);
  }

  protected keyOf(v: LxcValue): string {
    return v.address;
  }

  async updateMany(entries: readonly Entry<LxcValue>[]): Promise<void> {
    const pairs = this.inNode(() =>
      entries.map(({ value: { address, ...v } }) => [address, { ...v, ifindex: ifIndex(v.ifName) }] as const),
    );
    this.endpoints.putMany(pairs);
  }

  async observe(): Promise<Entry<LxcValue>[]> {
    const rows = this.endpoints.dump();
    return this.inNode(() =>
      rows.map(([address, { ifindex, ...v }]) => {
        const live = currentIndex(v.ifName);
        const ifName = live === ifindex ? v.ifName : `(ifindex ${ifindex})`;
        const value = { address, ...v, ifName };
        return { key: KINDS.lxc.key(value), value };
      }),
    );
  }

  private inNode<T>(fn: () => T): T {
    return this.nodeNs ? inNetns(this.nodeNs, fn) : fn();
  }
}

function currentIndex(ifName: string): number {
  try {
    return ifIndex(ifName);
  } catch {
    return 0;
  }
}
