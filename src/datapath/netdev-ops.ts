import { execFileSync } from 'node:child_process';
import type { Entry, NetdevValue, ProgramHook } from '../desired/desired-state.js';
import { KINDS } from '../desired/kinds/index.js';
import { StalledError, type DeviceAddresses, type NetOps } from './net/index.js';
import type { EndpointDatapath } from './programs/index.js';

/**
 * The node-device programs (NodePort and ExternalIP from outside) on the
 * devices that hold a node address. The desired entry names the address; the
 * devices are looked up in the node's namespace when writing and observing.
 * Observe reports an attachment per address its device holds, so a detached
 * link (or a device that lost the address) shows in the plan and apply repairs it.
 */
export class NetdevOps implements NetOps<NetdevValue> {
  private count = 0;

  constructor(
    private readonly datapath: EndpointDatapath,
    private readonly nodeNs: string | null,
  ) {}

  get writes(): number {
    return this.count;
  }

  update(entry: Entry<NetdevValue>): Promise<void> {
    return this.updateMany([entry]);
  }

  /** Throws StalledError when no device holds an address: its NodePort frontends could not be reached. */
  async updateMany(entries: readonly Entry<NetdevValue>[]): Promise<void> {
    for (const [ifName, hooks] of this.byDevice(entries, true)) {
      this.datapath.attachNetdev(ifName, this.nodeNs ?? undefined, hooks);
      this.count += hooks.length;
    }
  }

  delete(entry: Entry<NetdevValue>): Promise<void> {
    return this.deleteMany([entry]);
  }

  async deleteMany(entries: readonly Entry<NetdevValue>[]): Promise<void> {
    for (const [ifName, hooks] of this.byDevice(entries)) {
      this.datapath.detachNetdev(ifName, hooks);
      this.count += hooks.length;
    }
  }

  async prune(allDesired: readonly Entry<NetdevValue>[]): Promise<void> {
    const keep = new Set(allDesired.map((e) => e.key));
    await this.deleteMany((await this.observe()).filter((e) => !keep.has(e.key)));
  }

  /** `addresses`: the node's devices as a scan made for this observe read them; read here when not given. */
  async observe(addresses?: DeviceAddresses): Promise<Entry<NetdevValue>[]> {
    const attached = this.datapath.netdevAttachments().filter((a) => a.ifindex !== 0);
    if (attached.length === 0) return [];
    addresses ??= deviceAddresses(this.nodeNs);
    const out = new Map<string, Entry<NetdevValue>>();
    for (const a of attached) {
      const program = (this.datapath.programOf(a.progId) ?? `(prog ${a.progId})`) as NetdevValue['program'];
      for (const address of addresses.get(a.ifName) ?? []) {
        const value = { address, hook: a.hook, program };
        const key = KINDS.netdev.key(value);
        if (!out.has(key)) out.set(key, { key, value });
      }
    }
    return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Hooks to write per device holding an entry's address. */
  private byDevice(entries: readonly Entry<NetdevValue>[], mustHold = false): Map<string, ProgramHook[]> {
    const holders = new Map<string, string[]>();
    for (const [ifName, addrs] of deviceAddresses(this.nodeNs)) {
      for (const a of addrs) holders.set(a, [...(holders.get(a) ?? []), ifName]);
    }
    const out = new Map<string, ProgramHook[]>();
    for (const { value } of entries) {
      if (mustHold && !holders.has(value.address)) {
        throw new StalledError(
          'node device attach',
          `no device of the node holds ${value.address}, the address its NodePort frontends listen on`,
          { address: value.address },
        );
      }
      for (const ifName of holders.get(value.address) ?? []) {
        const hooks = out.get(ifName) ?? [];
        if (!hooks.includes(value.hook)) out.set(ifName, [...hooks, value.hook]);
      }
    }
    return out;
  }
}

/** IPv4 addresses per device of the node's namespace (`ip -j addr`). */
function deviceAddresses(nodeNs: string | null): DeviceAddresses {
  const args = [...(nodeNs ? ['-n', nodeNs] : []), '-j', '-4', 'addr', 'show'];
  const links = JSON.parse(execFileSync('ip', args, { encoding: 'utf8' })) as Array<{
    ifname: string;
    addr_info?: Array<{ local?: string }>;
  }>;
  return new Map(links.map((l) => [l.ifname, (l.addr_info ?? []).flatMap((a) => (a.local ? [a.local] : []))]));
}
