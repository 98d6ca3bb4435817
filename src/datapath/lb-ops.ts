import type { BackendValue, Entry, MaglevValue, RevnatValue, ServiceValue } from '../desired/desired-state.js';
import { KINDS } from '../desired/kinds/index.js';
import { observeAgainst, observeAll, type RowKind } from './internal/observe-against.js';
import {
  backendRows,
  revnatRows,
  type BackendMap,
  type LbBackend,
  type LbRevnat,
  type MaglevMap,
  type RevnatMap,
  type ServiceMap,
  type TypedMap,
} from './maps/index.js';
import type { NetOps } from './net/index.js';

// Drivers for the load balancer's maps, in the shape every driver has
// (NetOps). Their order (a slot never names a backend that is not there
// yet) is the kind registry's; keys are rendered by the registry's key functions.

abstract class LbOps<V> implements NetOps<V> {
  constructor(private readonly maps: readonly TypedMap<unknown, unknown>[]) {}

  get writes(): number {
    return this.maps.reduce((n, m) => n + m.stats.updates + m.stats.deletes, 0);
  }

  abstract updateMany(entries: readonly Entry<V>[]): Promise<void>;
  abstract deleteMany(entries: readonly Entry<V>[]): Promise<void>;
  abstract observe(): Promise<Entry<V>[]>;

  update(entry: Entry<V>): Promise<void> {
    return this.updateMany([entry]);
  }

  delete(entry: Entry<V>): Promise<void> {
    return this.deleteMany([entry]);
  }

  /** Collects what is stale first, deletes after: never while iterating a map. */
  async prune(allDesired: readonly Entry<V>[]): Promise<void> {
    const keep = new Set(allDesired.map((e) => e.key));
    await this.deleteMany((await this.observe()).filter((e) => !keep.has(e.key)));
  }
}

export class BackendOps extends LbOps<BackendValue> {
  private readonly kind: RowKind<BackendValue, number, LbBackend>;

  constructor(private readonly backends: BackendMap) {
    super([backends]);
    this.kind = { map: backends, rows: backendRows, key: KINDS.backend.key, encodeOnce: true };
  }

  async updateMany(entries: readonly Entry<BackendValue>[]): Promise<void> {
    this.backends.write(entries.map((e) => e.value));
  }

  async deleteMany(entries: readonly Entry<BackendValue>[]): Promise<void> {
    this.backends.removeMany(entries.map((e) => e.value.id));
  }

  async observe(): Promise<Entry<BackendValue>[]> {
    return observeAll(this.kind);
  }

  /** observe(), with the entries whose bytes are desired entries' read as those entries (see observeAgainst). */
  async observeAgainst(desired: readonly Entry<BackendValue>[]): Promise<readonly Entry<BackendValue>[]> {
    return observeAgainst(this.kind, desired);
  }
}

export class RevnatOps extends LbOps<RevnatValue> {
  private readonly kind: RowKind<RevnatValue, number, LbRevnat>;

  constructor(private readonly revnat: RevnatMap) {
    super([revnat]);
    this.kind = { map: revnat, rows: revnatRows, key: KINDS.revnat.key, encodeOnce: true };
  }

  async updateMany(entries: readonly Entry<RevnatValue>[]): Promise<void> {
    this.revnat.write(entries.map((e) => e.value));
  }

  async deleteMany(entries: readonly Entry<RevnatValue>[]): Promise<void> {
    this.revnat.removeMany(entries.map((e) => e.value.index));
  }

  async observe(): Promise<Entry<RevnatValue>[]> {
    return observeAll(this.kind);
  }

  /** observe(), with the entries whose bytes are desired entries' read as those entries (see observeAgainst). */
  async observeAgainst(desired: readonly Entry<RevnatValue>[]): Promise<readonly Entry<RevnatValue>[]> {
    return observeAgainst(this.kind, desired);
  }
}

export class MaglevOps extends LbOps<MaglevValue> {
  constructor(private readonly maglev: MaglevMap) {
    super([maglev]);
  }

  async updateMany(entries: readonly Entry<MaglevValue>[]): Promise<void> {
    this.maglev.write(entries.map((e) => e.value));
  }

  async deleteMany(entries: readonly Entry<MaglevValue>[]): Promise<void> {
    this.maglev.erase(entries.map((e) => e.value));
  }

  async observe(): Promise<Entry<MaglevValue>[]> {
    return this.maglev.read().map((value) => ({ key: KINDS.maglev.key(value), value }));
  }
}

/** Service frontends (master and slots); the node-device programs NodePort needs are the netdev kind's. */
export class ServiceOps extends LbOps<ServiceValue> {
  constructor(private readonly services: ServiceMap) {
    super([services]);
  }

  async updateMany(entries: readonly Entry<ServiceValue>[]): Promise<void> {
    this.services.write(entries.map((e) => e.value));
  }

  async deleteMany(entries: readonly Entry<ServiceValue>[]): Promise<void> {
    this.services.erase(entries.map((e) => e.value));
  }

  async observe(): Promise<Entry<ServiceValue>[]> {
    return this.services.read().map((value) => ({ key: KINDS.service.key(value), value }));
  }
}
