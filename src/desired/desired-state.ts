import type { L7RuleSet } from './compile/l7/l7-rule-set.js';
import type { Diagnostic } from './diagnostics.js';

// DesiredState: the exact entries one node's kernel should hold, as plain
// frozen data. The datapath observes the kernel into the same shape, so that
// plan() can diff the two entry by entry. Values carry what the kernel holds;
// `label` carries readable names (labels, policy names) for plan output and is
// never compared.

export { RESOURCE_KINDS } from './kinds/index.js';
export type ResourceKind = keyof ResourceValues;

export interface Entry<V> {
  /** Stable key, unique within its resource kind (the map key, rendered). */
  readonly key: string;
  readonly value: V;
  /** Human-readable name shown next to the key in plans; not part of the state. */
  readonly label?: string;
}

export type IdentityScope = 'reserved' | 'global' | 'cidr';

export interface IdentityValue {
  readonly id: number;
  /** Sorted `source:key=value` labels, e.g. `k8s:org=empire`, `reserved:host`, `cidr:10.0.0.0/8`. */
  readonly labels: readonly string[];
  readonly scope: IdentityScope;
}

export interface IpcacheValue {
  readonly prefix: string;
  readonly identity: number;
  /** Underlay address of the node that hosts the prefix; null when local or outside the cluster. */
  readonly tunnelEndpoint: string | null;
}

export type Direction = 'ingress' | 'egress';

export interface EndpointValue {
  /** Endpoint id, unique on the node (1..65535). */
  readonly id: number;
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
  readonly mac: string;
  /** Host-side veth name (at most 15 characters). */
  readonly ifName: string;
  /** Address the workload routes through (held by the host-side veth); the node's gateway. */
  readonly gateway: string;
  /** Network namespace the workload lives in. */
  readonly netns: string;
  readonly identity: number;
  /** A direction selected by any policy (or enforcement `always`) is default-deny. */
  readonly enforceIngress: boolean;
  readonly enforceEgress: boolean;
  /** Audit mode: would-be drops are counted and reported, not dropped. */
  readonly audit: boolean;
}

/**
 * The BPF endpoint map entry of a local endpoint (Cilium's lxc map), keyed by
 * its address: what the endpoint program reads per packet.
 */
export interface LxcValue {
  readonly address: string;
  readonly id: number;
  readonly identity: number;
  readonly enforceIngress: boolean;
  readonly enforceEgress: boolean;
  readonly audit: boolean;
  readonly mac: string;
  readonly ifName: string;
}

export type ProgramHook = 'ingress' | 'egress';

/**
 * One program attachment on a host-side veth. On the veth's ingress hook the
 * program sees what the workload sends, on its egress hook what it receives.
 * The overlay programs attach to the collect-metadata VXLAN device instead.
 */
export interface ProgramValue {
  readonly ifName: string;
  readonly hook: ProgramHook;
  readonly program: 'gw_from_endpoint' | 'gw_to_endpoint' | 'gw_from_overlay' | 'gw_to_overlay' | 'gw_from_host';
}

/**
 * The node-device programs on every device of the node that holds `address`
 * (the node's own address, when a NodePort frontend uses it): they translate
 * NodePort and ExternalIP traffic arriving from outside. The device is found
 * when applying, as the kernel names it; the declaration knows only the address.
 */
export interface NetdevValue {
  readonly address: string;
  readonly hook: ProgramHook;
  readonly program: 'gw_from_netdev' | 'gw_to_netdev';
}

export type Verdict = 'allow' | 'deny' | 'redirect';

/**
 * One policy map entry, Cilium-style: per endpoint, keyed by peer identity,
 * direction, protocol and port with a prefix length on the port (port ranges
 * become several prefix-matched entries). identity 0, protocol 0 and
 * portPrefixLen 0 are wildcards.
 */
export interface PolicyValue {
  readonly endpointId: number;
  readonly direction: Direction;
  readonly identity: number;
  /** IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6); 0 = any. */
  readonly protocol: number;
  /** Destination port, or ICMP type for ICMP; 0 with prefix 0 = any. */
  readonly port: number;
  /** How many leading bits of `port` must match (0..16). */
  readonly portPrefixLen: number;
  readonly verdict: Verdict;
  /** Proxy port for `redirect` (L7 rules); 0 otherwise. */
  readonly proxyPort: number;
  /** Id of the rule that produced the entry (see DesiredState.rules), carried into events. */
  readonly ruleId: number;
}

export interface RuleRef {
  readonly id: number;
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  /** Path of the rule in its document, e.g. `spec.ingress[0]`. */
  readonly path: string;
  readonly file: string;
  readonly line: number;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'ExternalIP';
export type LbAlgorithm = 'random' | 'maglev';
export type LbMode = 'snat' | 'dsr';

/** One frontend of a Service; the entry's label is the Service's `namespace/name` (the kernel does not hold it). */
export interface ServiceValue {
  readonly address: string;
  readonly port: number;
  readonly protocol: number;
  readonly type: ServiceType;
  /** Backend ids in slot order (slot 1..n). */
  readonly backendIds: readonly number[];
  readonly revNatIndex: number;
  readonly algorithm: LbAlgorithm;
  /** Session affinity timeout in seconds; 0 = no affinity. */
  readonly affinityTimeout: number;
  /** How a NodePort or ExternalIP frontend reaches a backend on another node: SNAT, or direct server return. */
  readonly mode: LbMode;
}

export type BackendState = 'active' | 'terminating' | 'quarantined' | 'maintenance';

export interface BackendValue {
  readonly id: number;
  readonly address: string;
  readonly port: number;
  readonly protocol: number;
  readonly state: BackendState;
}

export interface RevnatValue {
  readonly index: number;
  readonly address: string;
  readonly port: number;
}

export interface MaglevValue {
  readonly revNatIndex: number;
  readonly tableSize: number;
  /**
   * The lookup table, backend id per slot: base64 of tableSize little-endian
   * u32s, the bytes of the BPF map value. Compact, compared and frozen as one
   * string; decodeMaglevTable (from desired/compile) reads it back.
   */
  readonly table: string;
}

export interface TunnelValue {
  /** Remote pod CIDR. */
  readonly prefix: string;
  /** Underlay address of the node that owns it (the node's name is the entry's label: the kernel does not hold it). */
  readonly endpoint: string;
}

export interface RouteValue {
  readonly prefix: string;
  readonly dev: string;
  readonly via: string | null;
  readonly onlink: boolean;
  readonly mtu: number | null;
  readonly src: string | null;
}

export type LinkKind = 'vxlan' | 'geneve' | 'veth';

export interface LinkValue {
  readonly name: string;
  readonly kind: LinkKind;
  readonly mtu: number;
  /** vxlan/geneve: VNI, UDP port and local underlay address. */
  readonly vni: number | null;
  readonly port: number | null;
  readonly local: string | null;
  /** veth: the workload-side peer's netns and name. */
  readonly peerNetns: string | null;
  readonly peerName: string | null;
}

/**
 * One L7 rule set the node's HTTP proxy for its direction enforces, with the
 * proxy port that direction's listener takes (where the datapath's redirect delivers).
 */
export interface L7ProxyValue extends L7RuleSet {
  readonly proxyPort: number;
}

export type ProbeType = 'tcp' | 'http' | 'icmp';

/**
 * A HealthCheck this node runs after applying a new revision: the probe from a
 * local endpoint's netns, its target resolved to an address, and what to expect.
 * Compile-only: the agent reads it, no driver writes it. The entry's label
 * names it for plans and failures, with its file:line.
 */
export interface HealthCheckValue {
  /** `namespace/name` of the HealthCheck. */
  readonly name: string;
  readonly probe: ProbeType;
  /** `namespace/name` of the endpoint the probe runs from, and its network namespace. */
  readonly from: string;
  readonly netns: string;
  /** The target as declared: `endpoint ns/name`, `service ns/name:port` or an address. */
  readonly to: string;
  /** Where the probe goes; null for a service with no ClusterIP (the probe then fails). */
  readonly address: string | null;
  /** TCP port (tcp, http); null for icmp. */
  readonly port: number | null;
  /** http only: path to GET and status expected. */
  readonly path: string | null;
  readonly status: number | null;
  readonly expect: 'allow' | 'deny';
  readonly deadlineMs: number;
  readonly file: string;
  readonly line: number;
}

export interface ResourceValues {
  identity: IdentityValue;
  ipcache: IpcacheValue;
  endpoint: EndpointValue;
  lxc: LxcValue;
  policy: PolicyValue;
  service: ServiceValue;
  backend: BackendValue;
  revnat: RevnatValue;
  maglev: MaglevValue;
  tunnel: TunnelValue;
  route: RouteValue;
  link: LinkValue;
  program: ProgramValue;
  netdev: NetdevValue;
  l7proxy: L7ProxyValue;
  healthcheck: HealthCheckValue;
}

/** Every resource kind's entries, sorted by key. */
export type Resources = { readonly [K in ResourceKind]: readonly Entry<ResourceValues[K]>[] };

/**
 * What a desired state was compiled from: the commit (null for a plain
 * directory) and the cluster generation (membership and identities from the
 * cluster store; 0 until that input exists). A change in either is a new
 * desired state; plans name both.
 */
export interface DesiredInputs {
  readonly commit: string | null;
  readonly generation: number;
}

export interface DesiredState {
  readonly node: string;
  readonly inputs: DesiredInputs;
  readonly resources: Resources;
  /** Policy rules referenced by PolicyValue.ruleId, so events can name the policy that decided. */
  readonly rules: readonly RuleRef[];
  readonly warnings: readonly Diagnostic[];
}

/** What the datapath read from a live node: the same shape, possibly fewer kinds. */
export interface ObservedState {
  readonly node: string;
  readonly resources: Partial<Resources>;
}
