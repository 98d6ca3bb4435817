import type { BackendState, BackendValue } from '../../desired-state.js';
import { allocateByHash } from '../../identity/index.js';
import { frontendKey } from '../../kinds/index.js';
import type { Declared } from '../../model.js';
import type { ServiceSpec } from '../../schema/gitwire-kinds.js';
import type { ClusterView, EndpointInfo } from '../cluster-view.js';
import { cidrContains, cidrSize, formatIpv4, parseCidr, parseIpv4 } from '../ipv4.js';
import type { Warnings } from '../warnings.js';
import type { MaglevTables } from './maglev-tables.js';
import { STATE_ORDER, type ServicePortPlan, type ServiceProgram } from './service-program.js';

const PROTOCOLS = { TCP: 6, UDP: 17, SCTP: 132 } as const;
const NODE_PORT_RANGE = { min: 30_000, max: 32_767, space: 'node ports' };
export const REVNAT_RANGE = { min: 1, max: 65_535, space: 'reverse NAT indexes' };

/** Every Service port of the model with its backends, slots, cluster IP and node port. */
export function compileServiceProgram(
  view: ClusterView,
  declared: readonly Declared<ServiceSpec>[],
  warnings: Warnings,
  maglevTables: MaglevTables,
): ServiceProgram {
  const services = [...declared].sort((a, b) => cmp(svcKey(a), svcKey(b)));
  const clusterIPs = allocateClusterIPs(view, services, warnings);
  const nodePorts = allocateNodePorts(services);
  const byNamespaceLabel = indexEndpoints(view.endpoints);
  const lb = view.cluster.spec.loadBalancer;

  // Pass 1: backends per port, deduplicated cluster-wide by address:port/proto.
  const drafts = services.flatMap((decl) =>
    decl.spec.ports.map((p, portIndex) => ({
      decl,
      portIndex,
      p,
      backends: resolveBackends(decl, portIndex, byNamespaceLabel, warnings),
    })),
  );
  const states = new Map<string, BackendState>();
  for (const d of drafts) {
    for (const b of d.backends) {
      const key = b.key;
      const old = states.get(key);
      // One backend listed with two states: the less available one wins.
      if (!old || STATE_ORDER.indexOf(b.state) > STATE_ORDER.indexOf(old)) states.set(key, b.state);
    }
  }
  // u32 ids kept below 2^30 so that V8 stores them, and the Maglev tables full of them, as small integers.
  const ids = allocateByHash(states.keys(), { min: 1, max: 0x3fff_ffff, space: 'backend ids' });
  const backends = new Map<number, BackendValue>();
  for (const d of drafts) {
    for (const b of d.backends) {
      const key = b.key;
      const id = ids.get(key)!;
      backends.set(id, {
        id,
        address: b.address,
        port: b.port,
        protocol: PROTOCOLS[d.p.protocol],
        state: states.get(key)!,
      });
    }
  }

  // Ports with the same backends share one table: it depends on nothing else.
  const maglevFor = (slots: readonly number[]) =>
    maglevTables.get(
      slots.map((id) => ({ id, name: backendName(backends.get(id)!) })),
      lb.maglevTableSize,
    );
  const ports: ServicePortPlan[] = drafts.map((d) => {
    const service = svcKey(d.decl);
    const own = [...new Set(d.backends.map((b) => ids.get(b.key)!))]
      .map((id) => backends.get(id)!)
      .sort((a, b) => a.id - b.id);
    const active = own.filter((b) => b.state === 'active');
    const slots = (active.length > 0 ? active : own.filter((b) => b.state === 'terminating')).map((b) => b.id);
    if (slots.length === 0) {
      warnings.add(
        'W_SERVICE_NO_BACKENDS',
        d.decl.source,
        `spec.ports[${d.portIndex}]`,
        `service ${service} port ${d.p.port}/${d.p.protocol} has no backend; its traffic is dropped`,
      );
    }
    const algorithm = d.decl.spec.algorithm ?? lb.algorithm;
    return {
      service,
      decl: d.decl,
      portIndex: d.portIndex,
      port: d.p.port,
      protocol: PROTOCOLS[d.p.protocol],
      protocolName: d.p.protocol,
      clusterIP: clusterIPs.get(service) ?? null,
      externalIPs: [...new Set(d.decl.spec.externalIPs)].sort(),
      nodePort:
        d.decl.spec.type === 'NodePort' ? (d.p.nodePort ?? nodePorts.get(portKey(d.decl, d.portIndex)) ?? null) : null,
      backends: own,
      slots,
      algorithm,
      affinityTimeout: d.decl.spec.sessionAffinity === 'ClientIP' ? d.decl.spec.sessionAffinityTimeoutSeconds : 0,
      mode: d.decl.spec.loadBalancerMode ?? lb.mode,
      maglev: algorithm === 'maglev' && slots.length > 0 ? maglevFor(slots) : null,
    };
  });

  const shared = new Set<string>();
  for (const p of ports) {
    for (const addr of [p.clusterIP, ...p.externalIPs]) if (addr) shared.add(frontendKey(addr, p.port, p.protocolName));
  }
  return { ports, backends, revNat: allocateByHash(shared, REVNAT_RANGE), maglevTableSize: lb.maglevTableSize };
}

interface DraftBackend {
  /** `address:port/PROTO`, built once: it keys the backend everywhere below. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly state: BackendState;
}

function resolveBackends(
  decl: Declared<ServiceSpec>,
  portIndex: number,
  byNamespaceLabel: ReadonlyMap<string, EndpointInfo[]>,
  warnings: Warnings,
): DraftBackend[] {
  const p = decl.spec.ports[portIndex]!;
  const target = p.targetPort ?? p.port;
  const result: DraftBackend[] = [];
  decl.spec.backends.forEach((b, i) => {
    const port = b.port ?? (typeof target === 'number' ? target : null);
    if (port === null) {
      warnings.add(
        'W_SERVICE_NAMED_PORT',
        decl.source,
        `spec.backends[${i}].port`,
        `backend ${b.address} has no port and targetPort "${String(target)}" is a name; skipped`,
      );
      return;
    }
    result.push({ key: frontendKey(b.address, port, p.protocol), address: b.address, port, state: b.state });
  });
  const selector = Object.entries(decl.spec.selector ?? {});
  if (selector.length === 0) return result;
  const ns = decl.namespace ?? 'default';
  const [k0, v0] = selector[0]!;
  const candidates = byNamespaceLabel.get(`${ns}\0${k0}=${v0}`) ?? [];
  const missing: string[] = [];
  for (const ep of candidates) {
    if (!selector.every(([k, v]) => ep.decl.labels[k] === v)) continue;
    const port =
      typeof target === 'number'
        ? target
        : ep.decl.spec.ports.find((cp) => cp.name === target && cp.protocol === p.protocol)?.containerPort;
    if (port === undefined) missing.push(ep.key);
    else result.push({ key: frontendKey(ep.address, port, p.protocol), address: ep.address, port, state: 'active' });
  }
  if (missing.length > 0) {
    warnings.add(
      'W_SERVICE_NAMED_PORT',
      decl.source,
      `spec.ports[${portIndex}].targetPort`,
      `endpoint(s) ${missing.join(', ')} declare no ${p.protocol} port "${String(target)}"; not used as backends`,
    );
  }
  return result;
}

function indexEndpoints(endpoints: readonly EndpointInfo[]): Map<string, EndpointInfo[]> {
  const map = new Map<string, EndpointInfo[]>();
  for (const ep of endpoints) {
    for (const [k, v] of Object.entries(ep.decl.labels)) {
      const key = `${ep.namespace}\0${k}=${v}`;
      const list = map.get(key);
      if (list) list.push(ep);
      else map.set(key, [ep]);
    }
  }
  return map;
}

function allocateClusterIPs(
  view: ClusterView,
  services: readonly Declared<ServiceSpec>[],
  warnings: Warnings,
): Map<string, string> {
  const result = new Map<string, string>();
  const cidrText = view.cluster.spec.serviceCIDR;
  const cidr = cidrText ? parseCidr(cidrText) : null;
  const taken = new Set<number>();
  const pending: string[] = [];
  for (const s of services) {
    if (s.spec.clusterIP) {
      result.set(svcKey(s), s.spec.clusterIP);
      const ip = parseIpv4(s.spec.clusterIP)!;
      if (cidr && cidrContains(cidr, ip)) taken.add(ip - cidr.base);
    } else if (cidr) pending.push(svcKey(s));
    else {
      warnings.add(
        'W_SERVICE_NO_CLUSTER_IP',
        s.source,
        'spec.clusterIP',
        'no clusterIP and the Cluster declares no serviceCIDR to allocate one from; the service has no ClusterIP frontend',
      );
    }
  }
  if (cidr && pending.length > 0) {
    // Offsets 1..size-2: never the network or broadcast address.
    const offsets = allocateByHash(
      pending,
      { min: 1, max: cidrSize(cidr) - 2, space: `service CIDR ${cidrText}` },
      taken,
    );
    for (const [key, offset] of offsets) result.set(key, formatIpv4(cidr.base + offset));
  }
  return result;
}

function allocateNodePorts(services: readonly Declared<ServiceSpec>[]): Map<string, number> {
  const taken = new Set<number>();
  const pending: string[] = [];
  for (const s of services) {
    if (s.spec.type !== 'NodePort') continue;
    s.spec.ports.forEach((p, i) => {
      if (p.nodePort !== undefined) taken.add(p.nodePort);
      else pending.push(portKey(s, i));
    });
  }
  return allocateByHash(pending, NODE_PORT_RANGE, taken);
}

function portKey(s: Declared<ServiceSpec>, i: number): string {
  const p = s.spec.ports[i]!;
  return `${svcKey(s)}/${p.name ?? p.port}/${p.protocol}`;
}

function svcKey(s: Declared<ServiceSpec>): string {
  return `${s.namespace ?? 'default'}/${s.name}`;
}

function backendName(b: BackendValue): string {
  return `${b.address}:${b.port}/${b.protocol}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
