import { execFileSync } from 'node:child_process';
import type { BackendValue, Entry, MaglevValue, RevnatValue, ServiceValue } from '../desired/desired-state.js';
import type { BackendMap, MaglevMap, RevnatMap, ServiceMap, TypedMap } from './maps/index.js';
import type { NetOps } from './net/index.js';
import type { EndpointDatapath } from './programs/index.js';

// Drivers for the load balancer's maps, in the shape every driver has
// (NetOps). Apply runs them backends → reverse NAT → Maglev → services for
// creates and updates and the other way round for deletes, so a slot never
// names a backend that is not there yet and a backend goes only once no slot
// names it. Keys are rendered exactly as compile renders them.

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/** `address:port/PROTO`, compile's frontendKey. */
function frontendKey(v: Pick<ServiceValue, 'address' | 'port' | 'protocol'>): string {
  return `${v.address}:${v.port}/${PROTOCOL_NAMES[v.protocol] ?? v.protocol}`;
}

abstract class LbOps<V> implements NetOps<V> {
  constructor(private readonly maps: readonly TypedMap<unknown, unknown>[]) {}

  get writes(): number {
    return this.maps.reduce((n, m) => n + m.stats.updates + m.stats.deletes, 0) + this.extraWrites;
  }

  protected extraWrites = 0;

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
  constructor(private readonly backends: BackendMap) {
    super([backends]);
  }

  async updateMany(entries: readonly Entry<BackendValue>[]): Promise<void> {
    this.backends.write(entries.map((e) => e.value));
  }

  async deleteMany(entries: readonly Entry<BackendValue>[]): Promise<void> {
    this.backends.removeMany(entries.map((e) => e.value.id));
  }

  async observe(): Promise<Entry<BackendValue>[]> {
    return this.backends.read().map((value) => ({ key: String(value.id), value }));
  }
}

export class RevnatOps extends LbOps<RevnatValue> {
  constructor(private readonly revnat: RevnatMap) {
    super([revnat]);
  }

  async updateMany(entries: readonly Entry<RevnatValue>[]): Promise<void> {
    this.revnat.write(entries.map((e) => e.value));
  }

  async deleteMany(entries: readonly Entry<RevnatValue>[]): Promise<void> {
    this.revnat.removeMany(entries.map((e) => e.value.index));
  }

  async observe(): Promise<Entry<RevnatValue>[]> {
    return this.revnat.read().map((value) => ({ key: String(value.index), value }));
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
    return this.maglev.read().map((value) => ({ key: String(value.revNatIndex), value }));
  }
}

/**
 * Service frontends (master and slots). A NodePort frontend's address is the
 * node's own: the device holding it gets the node-device programs, which
 * translate NodePort and ExternalIP traffic from outside.
 */
export class ServiceOps extends LbOps<ServiceValue> {
  constructor(
    private readonly services: ServiceMap,
    private readonly datapath: EndpointDatapath,
    private readonly nodeNs: string | null,
  ) {
    super([services]);
  }

  async updateMany(entries: readonly Entry<ServiceValue>[]): Promise<void> {
    this.services.write(entries.map((e) => e.value));
    const nodeAddresses = new Set(entries.filter((e) => e.value.type === 'NodePort').map((e) => e.value.address));
    for (const address of nodeAddresses) {
      for (const ifName of devicesHolding(address, this.nodeNs)) {
        const before = this.datapath.netdevLinks();
        this.datapath.attachNetdev(ifName, this.nodeNs ?? undefined);
        const after = this.datapath.netdevLinks();
        for (const [pin, id] of after) if (before.get(pin) !== id) this.extraWrites++;
      }
    }
  }

  async deleteMany(entries: readonly Entry<ServiceValue>[]): Promise<void> {
    this.services.erase(entries.map((e) => e.value));
  }

  async observe(): Promise<Entry<ServiceValue>[]> {
    return this.services.read().map((value) => ({ key: frontendKey(value), value }));
  }
}

/** Devices of the node's namespace that hold an address (`ip -j addr`). */
function devicesHolding(address: string, nodeNs: string | null): string[] {
  const args = [...(nodeNs ? ['-n', nodeNs] : []), '-j', '-4', 'addr', 'show'];
  const links = JSON.parse(execFileSync('ip', args, { encoding: 'utf8' })) as Array<{
    ifname: string;
    addr_info?: Array<{ local?: string }>;
  }>;
  return links.filter((l) => l.addr_info?.some((a) => a.local === address)).map((l) => l.ifname);
}
