import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BpfLink,
  BpfObject,
  ifIndex,
  inNetns,
  progInfo,
  unpin,
  type BpfMap,
  type BpfProgram,
} from '../libbpf/index.js';
import {
  configCodec,
  CounterMap,
  CtMap,
  DEFAULT_ENDPOINT_CONFIG,
  EndpointMap,
  IpcacheMap,
  PolicyMap,
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
const HOOKS = [
  { hook: 'ingress', program: 'gw_from_endpoint' },
  { hook: 'egress', program: 'gw_to_endpoint' },
] as const;

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

  private constructor(
    private readonly object: BpfObject,
    readonly pins: PinLayout,
  ) {
    this.policy = new PolicyMap(object.map('gw_policy'));
    this.ipcache = new IpcacheMap(object.map('gw_ipcache'));
    this.endpoints = new EndpointMap(object.map('gw_endpoints'));
    this.ct = new CtMap(object.map('gw_ct'));
    this.counters = new CounterMap(object.map('gw_counters'));
    this.events = object.map('gw_events');
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
    return new EndpointDatapath(object, spec.pins);
  }

  program(name: 'gw_from_endpoint' | 'gw_to_endpoint'): BpfProgram {
    return this.object.program(name);
  }

  /**
   * Attaches both programs to a host-side veth with tcx and pins the links,
   * so enforcement outlives the process. Idempotent: a pinned link already
   * running this program is left alone; one running another program is
   * atomically replaced. `netns` is where the device lives (default: ours).
   */
  attach(ifName: string, netns?: string): EndpointAttachment[] {
    const run = () =>
      HOOKS.map(({ hook, program }) => {
        const ifindex = ifIndex(ifName);
        const prog = this.object.program(program);
        const pinPath = this.pins.linkPath(ifName, hook);
        const existing = BpfLink.tryFromPin(pinPath);
        if (existing) {
          try {
            const info = existing.info();
            if (info.ifindex === ifindex) {
              if (info.progId !== progInfo(prog.fd).id) existing.update(prog.fd);
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
      });
    return netns ? inNetns(netns, run) : run();
  }

  /** Detaches both programs from a device by removing its pinned links; idempotent. */
  detach(ifName: string): void {
    for (const { hook } of HOOKS) {
      const pinPath = this.pins.linkPath(ifName, hook);
      const link = BpfLink.tryFromPin(pinPath);
      if (!link) continue;
      try {
        link.detach();
      } finally {
        link.close();
        unpin(pinPath);
      }
    }
  }

  /** The attachments gitwire pinned for this node, read back from bpffs. */
  attachments(): EndpointAttachment[] {
    if (!fs.existsSync(this.pins.linksDir)) return [];
    return fs.readdirSync(this.pins.linksDir).flatMap((file) => {
      const m = /^(.+)_(ingress|egress)$/.exec(file);
      const link = m && BpfLink.tryFromPin(`${this.pins.linksDir}/${file}`);
      if (!m || !link) return [];
      try {
        const info = link.info();
        return [
          {
            ifName: m[1]!,
            ifindex: info.ifindex,
            hook: m[2] as 'ingress' | 'egress',
            linkId: info.id,
            progId: info.progId,
          },
        ];
      } finally {
        link.close();
      }
    });
  }

  /** Releases fds; pinned maps and links stay in the kernel. */
  close(): void {
    this.object.close();
  }
}
