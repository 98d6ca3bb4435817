import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BpfError,
  BpfLink,
  BpfMap,
  BpfObject,
  BpfProgram,
  ifIndex,
  inNetns,
  progInfo,
  progMapIds,
  unpin,
} from '../libbpf/index.js';
import {
  AffinityMap,
  BackendMap,
  configCodec,
  CounterMap,
  CtMap,
  DEFAULT_ENDPOINT_CONFIG,
  EndpointMap,
  IpcacheMap,
  LbCtMap,
  SnatMap,
  MaglevMap,
  PolicyMap,
  ProxyMap,
  RevnatMap,
  ServiceMap,
  type EndpointProgramConfig,
} from '../maps/index.js';
import { ensurePinDir, type PinLayout } from './pin-layout.js';

export const ENDPOINT_OBJECT = fileURLToPath(new URL('../../../bpf/build/endpoint.bpf.o', import.meta.url));

export interface EndpointDatapathSpec {
  readonly pins: PinLayout;
  readonly config?: Partial<EndpointProgramConfig>;
  /** max_entries overrides by map name (gw_policy, gw_ipcache, gw_ct, gw_endpoints). */
  readonly maxEntries?: Readonly<Record<string, number>>;
  readonly objectFile?: string;
}

/** Which hook of the host-side veth runs which program. */
export type EndpointHook = 'ingress' | 'egress';
const ALL_HOOKS: readonly EndpointHook[] = ['ingress', 'egress'];

const HOOKS = [
  { hook: 'ingress', program: 'gw_from_endpoint' },
  { hook: 'egress', program: 'gw_to_endpoint' },
] as const;

/** The node device's programs: NodePort and ExternalIP traffic from outside, and its replies. */
const NETDEV_HOOKS = [
  { hook: 'ingress', program: 'gw_from_netdev' },
  { hook: 'egress', program: 'gw_to_netdev' },
] as const;

/** The collect-metadata VXLAN device's programs: the sender's identity in the VNI. */
const OVERLAY_HOOKS = [
  { hook: 'ingress', program: 'gw_from_overlay' },
  { hook: 'egress', program: 'gw_to_overlay' },
] as const;

/** The host device's program (gw_host): the node's own connections to a service. */
const HOST_HOOKS = [{ hook: 'egress', program: 'gw_from_host' }] as const;

export type ProgramName =
  | (typeof HOOKS)[number]['program']
  | (typeof NETDEV_HOOKS)[number]['program']
  | (typeof OVERLAY_HOOKS)[number]['program']
  | (typeof HOST_HOOKS)[number]['program'];

export interface EndpointAttachment {
  readonly ifName: string;
  readonly ifindex: number;
  readonly hook: 'ingress' | 'egress';
  readonly linkId: number;
  readonly progId: number;
}

/**
 * The node's endpoint programs and their pinned maps. Loading reuses maps
 * already pinned for the node (their entries survive restarts); a pinned map
 * with another definition fails with BPF_PINNED_MAP_MISMATCH.
 */
export class EndpointDatapath {
  readonly policy: PolicyMap;
  readonly ipcache: IpcacheMap;
  readonly endpoints: EndpointMap;
  readonly ct: CtMap;
  readonly counters: CounterMap;
  readonly events: BpfMap;
  readonly services: ServiceMap;
  readonly backends: BackendMap;
  readonly revnat: RevnatMap;
  readonly maglev: MaglevMap;
  readonly lbCt: LbCtMap;
  readonly affinity: AffinityMap;
  readonly snat: SnatMap;
  /** On a backend's node, by the reply's tuple: the frontend a DSR connection's replies leave as (lib/dsr.h). */
  readonly dsr: SnatMap;
  /** The redirect's records: which identity each connection sent to the L7 proxy comes from. */
  readonly proxy: ProxyMap;

  private constructor(
    private readonly object: BpfObject | null,
    private readonly maps: ReadonlyMap<string, BpfMap>,
    readonly pins: PinLayout,
  ) {
    const map = (name: string) => {
      const m = maps.get(name);
      if (!m) throw new RangeError(`endpoint datapath: map ${name} missing`);
      return m;
    };
    this.policy = new PolicyMap(map('gw_policy'), map('gw_policy_gen'));
    this.ipcache = new IpcacheMap(map('gw_ipcache'));
    this.endpoints = new EndpointMap(map('gw_endpoints'));
    this.ct = new CtMap(map('gw_ct'));
    this.counters = new CounterMap(map('gw_counters'));
    this.events = map('gw_events');
    this.services = new ServiceMap(map('gw_lb_svc'));
    this.backends = new BackendMap(map('gw_lb_backends'));
    this.revnat = new RevnatMap(map('gw_lb_revnat'));
    this.maglev = new MaglevMap(map('gw_lb_maglev'));
    this.lbCt = new LbCtMap(map('gw_lb_ct'));
    this.affinity = new AffinityMap(map('gw_lb_affinity'));
    this.snat = new SnatMap(map('gw_snat'));
    this.dsr = new SnatMap(map('gw_dsr'));
    this.proxy = new ProxyMap(map('gw_proxy'));
  }

  static load(spec: EndpointDatapathSpec): EndpointDatapath {
    ensurePinDir(spec.pins.mapsDir);
    ensurePinDir(spec.pins.linksDir);
    const object = BpfObject.load({
      file: spec.objectFile ?? ENDPOINT_OBJECT,
      pinDir: spec.pins.mapsDir,
      rodata: configCodec.encode({ ...DEFAULT_ENDPOINT_CONFIG, ...spec.config }),
      ...(spec.maxEntries ? { maxEntries: spec.maxEntries } : {}),
    });
    return new EndpointDatapath(object, object.maps, spec.pins);
  }

  /**
   * Opens the node's pinned maps without loading any program: enough to
   * observe a live node (plan --live, dry runs). Undefined when nothing is
   * pinned for the node yet. program() and attach() need load().
   */
  static openPinned(pins: PinLayout): EndpointDatapath | undefined {
    if (!fs.existsSync(pins.mapsDir)) return undefined;
    const maps = new Map<string, BpfMap>();
    try {
      for (const name of PINNED_MAPS) maps.set(name, BpfMap.fromPin(path.join(pins.mapsDir, name)));
    } catch (e) {
      for (const m of maps.values()) m.close();
      if (e instanceof BpfError && e.errno === ENOENT_ERRNO) return undefined;
      throw e;
    }
    return new EndpointDatapath(null, maps, pins);
  }

  /**
   * Whether every pinned map is still the one this object uses (nobody
   * removed or replaced the pins): only then may a caller keep it across passes.
   */
  pinsIntact(): boolean {
    return PINNED_MAPS.every((name) => {
      const mine = this.maps.get(name);
      if (!mine || !fs.existsSync(path.join(this.pins.mapsDir, name))) return false;
      const pinned = BpfMap.fromPin(path.join(this.pins.mapsDir, name));
      try {
        return pinned.info.id === mine.info.id;
      } finally {
        pinned.close();
      }
    });
  }

  /** One of the node's maps by its BPF name (gw_policy, …); undefined if the object has none. */
  mapNamed(name: string): BpfMap | undefined {
    return this.maps.get(name);
  }

  program(name: ProgramName): BpfProgram {
    if (!this.object) throw new RangeError('endpoint datapath opened from pins: load() it to run programs');
    return this.object.program(name);
  }

  /**
   * Attaches both programs to a host-side veth with tcx and pins the links,
   * so enforcement outlives the process. Idempotent: a pinned link already
   * running this program is left alone; one running another program is
   * atomically replaced. `netns` is where the device lives (default: ours).
   */
  attach(ifName: string, netns?: string, hooks: readonly EndpointHook[] = ALL_HOOKS): EndpointAttachment[] {
    return this.attachSet(HOOKS, ifName, netns, hooks);
  }

  /**
   * Attaches the overlay programs to the node's collect-metadata VXLAN device.
   * Their links are pinned with the endpoints' (the program kind's), so that
   * observe, prune and detach treat them alike.
   */
  attachOverlay(ifName: string, netns?: string, hooks: readonly EndpointHook[] = ALL_HOOKS): EndpointAttachment[] {
    return this.attachSet(OVERLAY_HOOKS, ifName, netns, hooks);
  }

  /** Attaches the host device's program, pinned with the endpoints' links as the overlay's are. */
  attachHost(ifName: string, netns?: string): EndpointAttachment[] {
    return this.attachSet(HOST_HOOKS, ifName, netns, ['egress']);
  }

  private attachSet(
    set: typeof HOOKS | typeof OVERLAY_HOOKS | typeof HOST_HOOKS,
    ifName: string,
    netns: string | undefined,
    hooks: readonly EndpointHook[],
  ): EndpointAttachment[] {
    const run = () =>
      set
        .filter(({ hook }) => hooks.includes(hook))
        .map(({ hook, program }) => this.attachOne(ifName, hook, program, this.pins.linkPath(ifName, hook)));
    return netns ? inNetns(netns, run) : run();
  }

  /**
   * Attaches the node-device programs (NodePort, ExternalIP from outside) to
   * the node's external device, as attach() does for veths. Their links are
   * pinned apart from the endpoints' (`netdev/`), so the program kind's
   * observe and prune never see them.
   */
  attachNetdev(ifName: string, netns?: string, hooks: readonly EndpointHook[] = ALL_HOOKS): EndpointAttachment[] {
    ensurePinDir(this.netdevDir);
    const run = () =>
      NETDEV_HOOKS.filter(({ hook }) => hooks.includes(hook)).map(({ hook, program }) =>
        this.attachOne(ifName, hook, program, path.join(this.netdevDir, `${ifName}_${hook}`)),
      );
    return netns ? inNetns(netns, run) : run();
  }

  /** Detaches the node-device programs from a device; idempotent. */
  detachNetdev(ifName: string, hooks: readonly EndpointHook[] = ALL_HOOKS): void {
    for (const hook of hooks) detachPinned(path.join(this.netdevDir, `${ifName}_${hook}`));
  }

  /** The node-device attachments gitwire pinned for this node, read back from bpffs. */
  netdevAttachments(): EndpointAttachment[] {
    return pinnedAttachments(this.netdevDir);
  }

  private get netdevDir(): string {
    return path.join(this.pins.dir, 'netdev');
  }

  private attachOne(ifName: string, hook: EndpointHook, program: ProgramName, pinPath: string): EndpointAttachment {
    const ifindex = ifIndex(ifName);
    const prog = this.program(program);
    const existing = BpfLink.tryFromPin(pinPath);
    if (existing) {
      try {
        const info = existing.info();
        if (info.ifindex === ifindex) {
          if (!sameProgram(info.progId, prog)) existing.update(prog.fd);
          const now = existing.info();
          return { ifName, ifindex, hook, linkId: now.id, progId: now.progId };
        }
        unpin(pinPath);
      } finally {
        existing.close();
      }
    }
    const link = BpfLink.attachTcx(prog.fd, ifindex, hook);
    try {
      link.pin(pinPath);
      const info = link.info();
      return { ifName, ifindex, hook, linkId: info.id, progId: info.progId };
    } finally {
      link.close();
    }
  }

  /** Detaches both programs from a device by removing its pinned links; idempotent. */
  detach(ifName: string, hooks: readonly EndpointHook[] = ALL_HOOKS): void {
    for (const hook of hooks) detachPinned(this.pins.linkPath(ifName, hook));
  }

  /** The attachments gitwire pinned for this node, read back from bpffs. */
  attachments(): EndpointAttachment[] {
    return pinnedAttachments(this.pins.linksDir);
  }

  /**
   * Which of this build's programs an attached program is: the same code and
   * configuration count as the same program even when loaded by another process.
   */
  programOf(progId: number): ProgramName | undefined {
    return [...HOOKS, ...NETDEV_HOOKS, ...OVERLAY_HOOKS, ...HOST_HOOKS]
      .map((h) => h.program)
      .find((name) => sameProgram(progId, this.program(name)));
  }

  /** Releases fds; pinned maps and links stay in the kernel. */
  close(): void {
    if (this.object) this.object.close();
    else for (const m of this.maps.values()) m.close();
  }
}

const PINNED_MAPS = [
  'gw_policy',
  'gw_policy_cache',
  'gw_policy_gen',
  'gw_ipcache',
  'gw_endpoints',
  'gw_ct',
  'gw_counters',
  'gw_event_budget',
  'gw_events',
  'gw_lb_svc',
  'gw_lb_backends',
  'gw_lb_revnat',
  'gw_lb_maglev',
  'gw_lb_ct',
  'gw_lb_affinity',
  'gw_snat',
  'gw_dsr',
  'gw_proxy',
];
const ENOENT_ERRNO = 2;

function detachPinned(pinPath: string): void {
  const link = BpfLink.tryFromPin(pinPath);
  if (!link) return;
  try {
    link.detach();
  } finally {
    link.close();
    unpin(pinPath);
  }
}

/** Links pinned as `<device>_<hook>` in `dir`. */
function pinnedAttachments(dir: string): EndpointAttachment[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((file) => {
    const m = /^(.+)_(ingress|egress)$/.exec(file);
    const link = m && BpfLink.tryFromPin(path.join(dir, file));
    if (!m || !link) return [];
    try {
      const info = link.info();
      return [
        { ifName: m[1]!, ifindex: info.ifindex, hook: m[2] as EndpointHook, linkId: info.id, progId: info.progId },
      ];
    } finally {
      link.close();
    }
  });
}

/**
 * The same code and configuration behind another load (a restart) has
 * another id but the same tag (the kernel's hash of the instructions) and the
 * same .rodata: then the link is left as it is, so a re-apply writes nothing.
 */
function sameProgram(attachedId: number, prog: BpfProgram): boolean {
  const mine = progInfo(prog.fd);
  if (mine.id === attachedId) return true;
  const attached = BpfProgram.fromId(attachedId);
  try {
    return progInfo(attached.fd).tag === mine.tag && rodataOf(attached.fd).equals(rodataOf(prog.fd));
  } finally {
    attached.close();
  }
}

function rodataOf(progFd: number): Buffer {
  for (const id of progMapIds(progFd)) {
    const map = BpfMap.fromId(id);
    try {
      if (map.name.endsWith('.rodata')) return map.lookup(Buffer.alloc(4)) ?? Buffer.alloc(0);
    } finally {
      map.close();
    }
  }
  return Buffer.alloc(0);
}
