import type { Entry, IpcacheValue, LxcValue, PolicyValue } from '../desired/desired-state.js';
import { KINDS } from '../desired/kinds/index.js';
import { observeAgainst, observeAll, type RowKind } from './internal/observe-against.js';
import { ifIndex, inNetns } from './libbpf/index.js';
import {
  ipcacheRows,
  policyRows,
  type EndpointMap,
  type EndpointMapValue,
  type IpcacheMap,
  type IpcacheMapValue,
  type PolicyKey,
  type PolicyMap,
  type PolicyMapValue,
  type RowMapping,
  type TypedMap,
} from './maps/index.js';
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
  /** observe(), with the entries whose bytes are desired entries' read as those entries (see observeAgainst). */
  abstract observeAgainst(desired: readonly Entry<V>[]): Promise<readonly Entry<V>[]>;

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
  private readonly kind: RowKind<IpcacheValue, string, IpcacheMapValue>;

  constructor(private readonly ipcache: IpcacheMap) {
    super(ipcache);
    this.kind = { map: ipcache, rows: ipcacheRows, key: KINDS.ipcache.key, encodeOnce: true };
  }

  protected keyOf(v: IpcacheValue): string {
    return v.prefix;
  }

  async updateMany(entries: readonly Entry<IpcacheValue>[]): Promise<void> {
    this.ipcache.write(entries.map((e) => e.value));
  }

  async observe(): Promise<Entry<IpcacheValue>[]> {
    return observeAll(this.kind);
  }

  async observeAgainst(desired: readonly Entry<IpcacheValue>[]): Promise<readonly Entry<IpcacheValue>[]> {
    return observeAgainst(this.kind, desired);
  }
}

export class PolicyOps extends MapOps<PolicyValue, PolicyValue> {
  private readonly kind: RowKind<PolicyValue, PolicyKey, PolicyMapValue>;

  constructor(private readonly policy: PolicyMap) {
    super(policy as unknown as TypedMap<PolicyValue, unknown>);
    this.kind = { map: policy, rows: policyRows, key: KINDS.policy.key, encodeOnce: true };
  }

  protected keyOf(v: PolicyValue): PolicyValue {
    return v;
  }

  async updateMany(entries: readonly Entry<PolicyValue>[]): Promise<void> {
    this.policy.write(entries.map((e) => e.value));
  }

  async observe(): Promise<Entry<PolicyValue>[]> {
    return observeAll(this.kind);
  }

  async observeAgainst(desired: readonly Entry<PolicyValue>[]): Promise<readonly Entry<PolicyValue>[]> {
    return observeAgainst(this.kind, desired);
  }
}

/**
 * The entry's row with the host veth's ifindex as it is now; read back, an
 * ifindex that no longer names the entry's veth (the device was recreated)
 * becomes `ifName` "(ifindex N)", so the plan shows it and apply repairs it.
 */
const lxcRows: RowMapping<LxcValue, string, EndpointMapValue> = {
  toRow: ({ address, ...v }) => [address, { ...v, ifindex: currentIndex(v.ifName) }],
  fromRow(address, { ifindex, ...v }) {
    const live = currentIndex(v.ifName);
    return { address, ...v, ifName: live === ifindex ? v.ifName : `(ifindex ${ifindex})` };
  },
};

/**
 * The BPF endpoint map. The kernel entry holds the host veth's ifindex, which
 * the declaration cannot know: it is resolved on write and checked on observe
 * (lxcRows), so its rows are encoded on every read, not once per desired list.
 */
export class LxcOps extends MapOps<LxcValue, string> {
  private readonly kind: RowKind<LxcValue, string, EndpointMapValue>;

  constructor(
    private readonly endpoints: EndpointMap,
    private readonly nodeNs: string | null,
  ) {
    super(endpoints);
    this.kind = { map: endpoints, rows: lxcRows, key: KINDS.lxc.key, encodeOnce: false };
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
    return this.inNode(() => observeAll(this.kind));
  }

  async observeAgainst(desired: readonly Entry<LxcValue>[]): Promise<readonly Entry<LxcValue>[]> {
    return this.inNode(() => observeAgainst(this.kind, desired));
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
