import type { DesiredState, Entry, ObservedState, ResourceKind, ResourceValues } from '../desired/desired-state.js';
import { DRIVEN_KINDS, kindSpec, type DrivenKind } from '../desired/kinds/index.js';
import { IpcacheOps, LxcOps, PolicyOps } from './bpf-map-ops.js';
import {
  EndpointOps,
  LinkOps,
  NetnsOps,
  observeNet,
  RouteOps,
  TunnelOps,
  type NetNode,
  type NetOps,
} from './net/index.js';
import { AbsentOps } from './absent-ops.js';
import { L7ProxyOps } from './l7proxy-ops.js';
import { BackendOps, MaglevOps, RevnatOps, ServiceOps } from './lb-ops.js';
import { NetdevOps } from './netdev-ops.js';
import { ProgramOps } from './program-ops.js';
import { DEFAULT_BPFFS_ROOT, EndpointDatapath, pinLayout } from './programs/index.js';
import type { L7VerdictEvent } from './proxy/index.js';

/** A driver per driven kind of the registry: a kind without one, or with one of another value type, does not compile. */
export type Drivers = { readonly [K in DrivenKind]: NetOps<ResourceValues[K]> };

/** The kinds whose drivers can observe against the desired entries' bytes (one kernel entry per desired entry). */
type RawKind = 'ipcache' | 'lxc' | 'policy' | 'backend' | 'revnat';
type RawObservers = { readonly [K in RawKind]: NetOps<ResourceValues[K]> & RawObserver<ResourceValues[K]> };
interface RawObserver<V> {
  observeAgainst(desired: readonly Entry<V>[]): Promise<readonly Entry<V>[]>;
}

export interface NodeOptions {
  /** The node's name: names its bpffs directory and marks everything gitwire creates for it. */
  readonly node: string;
  /** Network namespace the node lives in; null = this process's own. */
  readonly nodeNs?: string | null;
  /** Where the node's pins live; default /sys/fs/bpf/gitwire. */
  readonly bpffsRoot?: string;
  /** Receives each request the node's L7 proxy decides, while this node is open. */
  readonly onL7Verdict?: (event: L7VerdictEvent) => void;
}

/**
 * A live node: its pinned BPF maps and programs (loaded once, reused across
 * restarts) and a driver per resource kind. close() releases file
 * descriptors; what is pinned and attached stays in the kernel.
 */
export class NodeDatapath {
  readonly drivers: Drivers;
  /** The node's L7 proxies: they run in this process while the node is open, so only a kept node (the agent's) keeps them. */
  readonly l7: L7ProxyOps | null;

  private readonly net: NetNode;
  private readonly netns: NetnsOps;
  private readonly netdev: NetdevOps | null;
  private readonly raw: Partial<RawObservers>;

  private constructor(
    readonly node: string,
    private readonly loaded: EndpointDatapath | null,
    nodeNs: string | null,
    onL7Verdict?: (event: L7VerdictEvent) => void,
  ) {
    this.net = { nodeNs, owner: node };
    this.netns = new NetnsOps(this.net);
    this.l7 = loaded
      ? new L7ProxyOps({ node, nodeNs, map: loaded.proxy, ...(onL7Verdict ? { onVerdict: onL7Verdict } : {}) })
      : null;
    this.netdev = loaded ? new NetdevOps(loaded, nodeNs) : null;
    this.raw = loaded
      ? {
          ipcache: new IpcacheOps(loaded.ipcache),
          lxc: new LxcOps(loaded.endpoints, nodeNs),
          policy: new PolicyOps(loaded.policy),
          backend: new BackendOps(loaded.backends),
          revnat: new RevnatOps(loaded.revnat),
        }
      : {};
    this.drivers = {
      link: new LinkOps(this.net),
      endpoint: new EndpointOps(this.net),
      route: new RouteOps(this.net),
      tunnel: new TunnelOps(this.net),
      ipcache: this.raw.ipcache ?? new AbsentOps(),
      lxc: this.raw.lxc ?? new AbsentOps(),
      policy: this.raw.policy ?? new AbsentOps(),
      backend: this.raw.backend ?? new AbsentOps(),
      revnat: this.raw.revnat ?? new AbsentOps(),
      maglev: loaded ? new MaglevOps(loaded.maglev) : new AbsentOps(),
      service: loaded ? new ServiceOps(loaded.services) : new AbsentOps(),
      program: loaded ? new ProgramOps(loaded, nodeNs) : new AbsentOps(),
      netdev: this.netdev ?? new AbsentOps(),
      l7proxy: this.l7 ?? new AbsentOps(),
    };
  }

  /** The node's maps and programs; throws on a read-only node that was never applied. */
  get datapath(): EndpointDatapath {
    if (!this.loaded) throw new Error(`node ${this.node} has no pinned datapath yet`);
    return this.loaded;
  }

  /** Loads the node's programs, creating its pinned maps on first use. */
  static open(opts: NodeOptions): NodeDatapath {
    const datapath = EndpointDatapath.load({ pins: pinLayout(opts.node, opts.bpffsRoot ?? DEFAULT_BPFFS_ROOT) });
    return new NodeDatapath(opts.node, datapath, opts.nodeNs ?? null, opts.onL7Verdict);
  }

  /**
   * For dry runs: reads what is there and creates nothing. A node that has
   * never been applied has no pins; its BPF kinds then read as empty.
   */
  static openReadOnly(opts: NodeOptions): NodeDatapath {
    const pins = pinLayout(opts.node, opts.bpffsRoot ?? DEFAULT_BPFFS_ROOT);
    const pinned = EndpointDatapath.openPinned(pins);
    if (!pinned) return new NodeDatapath(opts.node, null, opts.nodeNs ?? null);
    pinned.close();
    return NodeDatapath.open(opts);
  }

  /**
   * Whether this node, opened earlier, can serve another pass: it loaded its
   * programs and its maps are still the pinned ones. The agent keeps a node
   * open across passes while this holds, so a pass does not reload the BPF
   * object through the verifier.
   */
  get reusable(): boolean {
    return this.loaded !== null && this.loaded.pinsIntact();
  }

  /**
   * Reads every driven kind from the kernel: the net kinds from one scan of
   * the node, netdev from that scan's addresses, the rest from their drivers.
   * Given the desired state (`against`), the BPF map kinds read as much of it
   * as the kernel holds byte for byte as its own entries, undecoded, and a
   * kind the kernel holds exactly as the desired list itself: what plan
   * makes of it is the same, at a fraction of the cost.
   */
  async observe(opts: { readonly against?: DesiredState } = {}): Promise<ObservedState> {
    const scan = await observeNet(this.net);
    const netdev = this.netdev ? { netdev: await this.netdev.observe(scan.deviceAddresses) } : {};
    const net: Partial<Record<ResourceKind, readonly Entry<unknown>[]>> = { ...scan, ...netdev };
    const resources: Partial<Record<ResourceKind, readonly Entry<unknown>[]>> = {};
    for (const kind of DRIVEN_KINDS) resources[kind] = net[kind] ?? (await this.observeKind(kind, opts.against));
    return { node: this.node, resources } as ObservedState;
  }

  private observeKind(kind: DrivenKind, against: DesiredState | undefined): Promise<readonly Entry<unknown>[]> {
    const raw = this.raw[kind as RawKind] as RawObservers[RawKind] | undefined;
    const desired = against?.resources[kind] as readonly Entry<never>[] | undefined;
    return raw && desired ? raw.observeAgainst(desired) : this.drivers[kind].observe();
  }

  /**
   * max_entries of the map that holds a kind's entries one for one (the
   * registry's `map`); null for kinds without one or on a node never applied.
   */
  capacity(kind: ResourceKind): { readonly map: string; readonly maxEntries: number } | null {
    const name = kindSpec(kind).map;
    const map = name === undefined ? undefined : this.loaded?.mapNamed(name);
    return map ? { map: map.name, maxEntries: map.info.maxEntries } : null;
  }

  /** Kernel writes made through this node's drivers since it was opened. */
  get writes(): number {
    return DRIVEN_KINDS.reduce((n, k) => n + this.drivers[k].writes, 0) + this.netns.writes;
  }

  /**
   * Removes the empty, unmarked namespaces a crash can leave between creating
   * an endpoint's netns and plumbing it, when the endpoint is no longer
   * declared. Observe cannot see them (they carry no mark), so apply calls this.
   */
  sweepNetnsLeftovers(prefix: string, keep: readonly string[]): Promise<string[]> {
    return this.netns.sweepLeftovers(prefix, keep);
  }

  /** Releases file descriptors and stops the node's L7 proxies (whose sockets this process holds). */
  close(): void {
    void this.l7?.close();
    this.loaded?.close();
  }
}
