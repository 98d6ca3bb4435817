import type { IdentityScope } from '../desired-state.js';
import {
  allocateLocalIdentities,
  endpointLabels,
  labelSetKey,
  RESERVED_IDENTITIES,
  RESERVED_NAMES,
  reservedLabel,
  type IdentityTable,
} from '../identity/index.js';
import type { Declared, Model } from '../model.js';
import type { ClusterSpec, EndpointSpec, NodeSpec } from '../schema/gitwire-kinds.js';
import { CompileError } from './compile-error.js';
import { allocateEndpointAddresses } from './endpoint-addresses.js';
import { formatIpv4, parseCidr, parseIpv4, type Cidr } from './ipv4.js';
import { Warnings } from './warnings.js';

export interface NodeInfo {
  readonly name: string;
  readonly address: string;
  readonly podCidr: Cidr;
  readonly podCidrText: string;
  /** First host address of the pod CIDR, held by the host side of every veth. */
  readonly gateway: string;
}

export interface EndpointInfo {
  readonly decl: Declared<EndpointSpec>;
  /** `namespace/name` */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly node: NodeInfo;
  readonly address: string;
  readonly labels: readonly string[];
  readonly identity: number;
}

export interface IdentityInfo {
  readonly id: number;
  readonly labels: readonly string[];
  readonly scope: IdentityScope;
}

/** Facts about the whole cluster that every node's compile shares. */
export interface ClusterView {
  readonly cluster: Declared<ClusterSpec>;
  readonly clusterName: string;
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  /** Sorted by `namespace/name`. */
  readonly endpoints: readonly EndpointInfo[];
  readonly endpointsByNode: ReadonlyMap<string, readonly EndpointInfo[]>;
  readonly endpointsByIdentity: ReadonlyMap<number, readonly EndpointInfo[]>;
  /** Reserved and endpoint identities (CIDR identities come with the policies). */
  readonly identities: readonly IdentityInfo[];
  readonly warnings: Warnings;
}

export function reservedIdentities(): IdentityInfo[] {
  return RESERVED_NAMES.map((name) => ({
    id: RESERVED_IDENTITIES[name],
    labels: [reservedLabel(name)],
    scope: 'reserved',
  }));
}

/** The view depends on the Cluster, Nodes and Endpoints of a model only, and on the identity table. */
export type ViewInputs = Pick<Model, 'cluster' | 'nodes' | 'endpoints'>;

export function buildClusterView(model: ViewInputs, table?: IdentityTable): ClusterView {
  const cluster = model.cluster;
  if (!cluster) throw new CompileError('E_COMPILE_NO_CLUSTER', 'the model declares no Cluster (gitwire.io/v1alpha1)');
  const warnings = new Warnings();
  const nodes = new Map<string, NodeInfo>();
  for (const n of [...model.nodes].sort((a, b) => cmp(a.name, b.name))) nodes.set(n.name, nodeInfo(n));

  // Indexed loops over the endpoints: a for-of, map or filter costs more per step while the code is cold.
  const placed: Declared<EndpointSpec>[] = [];
  for (let i = 0; i < model.endpoints.length; i++) {
    const e = model.endpoints[i]!;
    if (nodes.has(e.spec.node)) placed.push(e);
    else {
      const message = `node "${e.spec.node}" is not declared; endpoint skipped`;
      warnings.add('W_ENDPOINT_UNKNOWN_NODE', e.source, 'spec.node', message);
    }
  }
  const addresses = allocateEndpointAddresses(placed, nodes, warnings);
  // The endpoints that got an address, as parallel lists: declaration, key, address, labels, label set key.
  const decls: Declared<EndpointSpec>[] = [];
  const endpointKeys: string[] = [];
  const endpointAddresses: string[] = [];
  const labelSets: string[][] = [];
  const keys: string[] = [];
  for (let i = 0; i < placed.length; i++) {
    const decl = placed[i]!;
    const key = `${decl.namespace ?? 'default'}/${decl.name}`;
    const address = addresses.get(key);
    if (address === undefined) continue;
    const labels = endpointLabels(decl, cluster.name);
    decls.push(decl);
    endpointKeys.push(key);
    endpointAddresses.push(address);
    labelSets.push(labels);
    keys.push(labelSetKey(labels));
  }
  const ids = table ?? allocateLocalIdentities(labelSets, keys);

  const endpoints: EndpointInfo[] = [];
  for (let i = 0; i < decls.length; i++) {
    const decl = decls[i]!;
    const key = endpointKeys[i]!;
    const identity = ids.get(keys[i]!);
    if (identity === undefined) {
      throw new CompileError('E_COMPILE_IDENTITY_MISSING', `no identity allocated for endpoint ${key}`, {
        endpoint: key,
      });
    }
    endpoints.push({
      decl,
      key,
      namespace: decl.namespace ?? 'default',
      name: decl.name,
      node: nodes.get(decl.spec.node)!,
      address: endpointAddresses[i]!,
      labels: labelSets[i]!,
      identity,
    });
  }
  endpoints.sort((a, b) => cmp(a.key, b.key));

  const byNode = new Map<string, EndpointInfo[]>();
  const byIdentity = new Map<number, EndpointInfo[]>();
  const identities = new Map<number, IdentityInfo>(reservedIdentities().map((i) => [i.id, i]));
  for (let i = 0; i < endpoints.length; i++) {
    const e = endpoints[i]!;
    push(byNode, e.node.name, e);
    push(byIdentity, e.identity, e);
    identities.set(e.identity, { id: e.identity, labels: e.labels, scope: 'global' });
  }
  return {
    cluster,
    clusterName: cluster.name,
    nodes,
    endpoints,
    endpointsByNode: byNode,
    endpointsByIdentity: byIdentity,
    identities: byId(identities),
    warnings,
  };
}

function nodeInfo(n: Declared<NodeSpec>): NodeInfo {
  const podCidr = parseCidr(n.spec.podCIDR);
  if (!podCidr || parseIpv4(n.spec.address) === null) {
    // The schema guarantees both; reaching here means the model was built around it.
    throw new TypeError(`node ${n.name}: invalid address or pod CIDR`);
  }
  return {
    name: n.name,
    address: n.spec.address,
    podCidr,
    podCidrText: `${formatIpv4(podCidr.base)}/${podCidr.bits}`,
    gateway: formatIpv4(podCidr.base + 1),
  };
}

/** The identities in id order, sorted as numbers by the typed array's own sort rather than a comparator called per pair. */
function byId(identities: ReadonlyMap<number, IdentityInfo>): IdentityInfo[] {
  const ids = Float64Array.from(identities.keys()).sort();
  const out: IdentityInfo[] = [];
  for (let i = 0; i < ids.length; i++) out.push(identities.get(ids[i]!)!);
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
