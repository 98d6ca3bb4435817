import type { Declared, PolicyDeclaration } from '../model.js';
import { endpointAliasFits, endpointNetns, endpointVeth, MAX_ALIAS, ownerMark } from '../names/index.js';
import type { ClusterSpec, EndpointSpec, NodeSpec, ServiceSpec } from '../schema/gitwire-kinds.js';
import type { HealthCheckSpec } from '../schema/health-check.js';
import { checkHealthChecks } from './check-health-checks.js';
import {
  containsIpv4,
  containsPrefix,
  hasHostBits,
  formatPrefix,
  overlaps,
  ipv4Number,
  parsePrefix,
  type IpPrefix,
} from './internal/ip-prefix.js';
import type { Reporter } from './internal/reporter.js';
import { checkRollout } from './check-rollout.js';
import { ValidateCode } from './validate-codes.js';

type Entry<S> = { readonly decl: Declared<S>; readonly r: Reporter };

export interface Declarations {
  readonly clusters: Entry<ClusterSpec>[];
  readonly nodes: Entry<NodeSpec>[];
  readonly endpoints: Entry<EndpointSpec>[];
  readonly services: Entry<ServiceSpec>[];
  readonly policies: { readonly decl: PolicyDeclaration; readonly r: Reporter }[];
  readonly healthChecks: Entry<HealthCheckSpec>[];
}

const at = (e: { decl: { source: { file: string; line: number } } }) => `${e.decl.source.file}:${e.decl.source.line}`;

/** Two declarations of one kind under one name, in any documents. */
export function checkDuplicateNames(d: Declarations): void {
  checkNames([d.clusters, d.nodes, d.endpoints, d.services, d.policies, d.healthChecks]);
}

/**
 * The other findings that need more than one document: unknown references,
 * address and CIDR clashes, derived names. Policies take no part in them.
 */
export function checkCrossDocument(d: Declarations): void {
  d.clusters.slice(1).forEach((c) => {
    c.r.error(
      ValidateCode.multipleClusters,
      [],
      `only one Cluster may be declared; another is at ${at(d.clusters[0]!)}`,
    );
  });
  const cluster = d.clusters[0];
  const clusterCidr = cluster ? checkedPrefix(cluster, 'clusterCIDR', cluster.decl.spec.clusterCIDR) : null;
  const serviceCidr = cluster?.decl.spec.serviceCIDR
    ? checkedPrefix(cluster, 'serviceCIDR', cluster.decl.spec.serviceCIDR)
    : null;
  if (cluster && clusterCidr && serviceCidr && overlaps(clusterCidr, serviceCidr)) {
    cluster.r.error(
      ValidateCode.podCidr,
      ['spec', 'serviceCIDR'],
      `serviceCIDR overlaps clusterCIDR ${cluster.decl.spec.clusterCIDR}`,
    );
  }
  const podCidrs = checkNodes(d.nodes, clusterCidr);
  if (cluster) checkRollout(cluster, d.nodes);
  checkEndpoints(d.endpoints, podCidrs);
  checkEndpointNames(d.endpoints);
  checkServices(d.services, d.endpoints, serviceCidr);
  checkHealthChecks(d.healthChecks, d.endpoints, d.services, d.nodes);
}

type Named = {
  readonly decl: { kind: string; namespace: string | null; name: string; source: { file: string; line: number } };
  readonly r: Reporter;
};

function checkNames(lists: readonly (readonly Named[])[]): void {
  // By kind, then namespace, then name: no key string built per declaration.
  const seen = new Map<string, Map<string, Map<string, Named>>>();
  for (const list of lists)
    for (const e of list) {
      const { kind, namespace, name } = e.decl;
      let byNamespace = seen.get(kind);
      if (!byNamespace) seen.set(kind, (byNamespace = new Map()));
      let byName = byNamespace.get(namespace ?? '');
      if (!byName) byNamespace.set(namespace ?? '', (byName = new Map()));
      const first = byName.get(name);
      if (!first) {
        byName.set(name, e);
        continue;
      }
      const id = namespace === null ? name : `${namespace}/${name}`;
      e.r.error(ValidateCode.duplicateName, ['metadata', 'name'], `${kind} ${id} is already declared at ${at(first)}`);
    }
}

function checkedPrefix(e: Entry<unknown>, field: string, text: string): IpPrefix | null {
  const prefix = parsePrefix(text);
  if (prefix && hasHostBits(prefix)) {
    e.r.warn(
      ValidateCode.hostBits,
      ['spec', field],
      `"${text}" has host bits set; it is treated as ${formatPrefix(prefix)}`,
    );
  }
  return prefix;
}

function checkNodes(nodes: Entry<NodeSpec>[], clusterCidr: IpPrefix | null): Map<string, IpPrefix> {
  const byName = new Map<string, IpPrefix>();
  const placed: { e: Entry<NodeSpec>; prefix: IpPrefix }[] = [];
  const addresses = new Map<string, Entry<NodeSpec>>();
  for (const e of nodes) {
    const spec = e.decl.spec;
    if (ownerMark(e.decl.name).length > MAX_ALIAS) {
      const msg = `the node name is too long for the ${MAX_ALIAS}-byte interface alias that marks the node's links`;
      e.r.error(ValidateCode.derivedName, ['metadata', 'name'], msg);
    }
    const prev = addresses.get(spec.address);
    if (prev)
      e.r.error(
        ValidateCode.address,
        ['spec', 'address'],
        `address ${spec.address} is also node ${prev.decl.name}'s (${at(prev)})`,
      );
    else addresses.set(spec.address, e);
    const prefix = checkedPrefix(e, 'podCIDR', spec.podCIDR);
    if (!prefix) continue;
    if (!byName.has(e.decl.name)) byName.set(e.decl.name, prefix);
    if (clusterCidr && !containsPrefix(clusterCidr, prefix)) {
      e.r.error(
        ValidateCode.podCidr,
        ['spec', 'podCIDR'],
        `podCIDR ${spec.podCIDR} is outside the cluster CIDR ${formatPrefix(clusterCidr)}`,
      );
    }
    const clash = placed.find((p) => overlaps(p.prefix, prefix));
    if (clash) {
      const msg = `podCIDR ${spec.podCIDR} overlaps node ${clash.e.decl.name}'s podCIDR ${clash.e.decl.spec.podCIDR} (${at(clash.e)})`;
      e.r.error(ValidateCode.podCidr, ['spec', 'podCIDR'], msg);
    }
    placed.push({ e, prefix });
  }
  return byName;
}

function checkEndpoints(endpoints: Entry<EndpointSpec>[], podCidrs: Map<string, IpPrefix>): void {
  const addresses = new Map<string, Entry<EndpointSpec>>();
  for (const e of endpoints) {
    const spec = e.decl.spec;
    const podCidr = podCidrs.get(spec.node);
    if (!podCidr) {
      const known = [...podCidrs.keys()].slice(0, 10).join(', ') || 'none';
      e.r.error(ValidateCode.unknownNode, ['spec', 'node'], `unknown node "${spec.node}" (declared nodes: ${known})`);
    }
    if (spec.address === undefined) continue;
    const addr = ipv4Number(spec.address);
    if (podCidr && addr !== null && !containsIpv4(podCidr, addr)) {
      const msg = `address ${spec.address} is outside node ${spec.node}'s podCIDR ${formatPrefix(podCidr)}`;
      e.r.error(ValidateCode.address, ['spec', 'address'], msg);
    }
    const prev = addresses.get(spec.address);
    if (prev) {
      const msg = `address ${spec.address} is already endpoint ${prev.decl.namespace}/${prev.decl.name}'s (${at(prev)})`;
      e.r.error(ValidateCode.address, ['spec', 'address'], msg);
    } else addresses.set(spec.address, e);
  }
}

/**
 * The names apply derives from an endpoint must exist and be its own: a
 * netns (one file per machine, shared by every node on it), a host veth per
 * node and an interface alias within the kernel's limit. Checked here so that
 * what validates also applies.
 */
function checkEndpointNames(endpoints: Entry<EndpointSpec>[]): void {
  // By scope (a node for veths, the machine for netns), then name.
  const taken = new Map<string, Map<string, Entry<EndpointSpec>>>();
  const claim = (e: Entry<EndpointSpec>, what: string, name: string, scope: string): void => {
    let names = taken.get(scope);
    if (!names) taken.set(scope, (names = new Map()));
    const prev = names.get(name);
    if (!prev) {
      names.set(name, e);
      return;
    }
    const id = (x: Entry<EndpointSpec>) => `${x.decl.namespace}/${x.decl.name}`;
    const msg = `endpoint ${id(e)} derives ${what} "${name}", as endpoint ${id(prev)} (${at(prev)}) does`;
    e.r.error(ValidateCode.derivedName, ['metadata', 'name'], msg);
  };
  for (const e of endpoints) {
    const { name, spec } = e.decl;
    const namespace = e.decl.namespace ?? 'default';
    if (!endpointAliasFits(spec.node, namespace, name)) {
      const msg = `node, namespace and name are too long together for the ${MAX_ALIAS}-byte interface alias that records the endpoint; shorten them`;
      e.r.error(ValidateCode.derivedName, ['metadata', 'name'], msg);
    }
    claim(e, 'network namespace', endpointNetns(spec.node, namespace, name), '');
    claim(e, 'host veth', endpointVeth(`${namespace}/${name}`), spec.node);
  }
}

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const NO_ENDPOINTS: readonly Entry<EndpointSpec>[] = [];

function checkServices(
  services: Entry<ServiceSpec>[],
  endpoints: Entry<EndpointSpec>[],
  serviceCidr: IpPrefix | null,
): void {
  // By address as a number (one spelling per address: the schema allows no leading zeros).
  const clusterIps = new Map<number | string, Entry<ServiceSpec>>();
  const nodePorts = new Map<number, Entry<ServiceSpec>>();
  // Endpoints by namespace, in file order, built for the first selector: a selector looks in its namespace only.
  let byNamespace: Map<string | null, Entry<EndpointSpec>[]> | null = null;
  const inNamespace = (namespace: string | null): readonly Entry<EndpointSpec>[] => {
    if (!byNamespace) {
      byNamespace = new Map();
      for (const ep of endpoints) {
        const list = byNamespace.get(ep.decl.namespace);
        if (list) list.push(ep);
        else byNamespace.set(ep.decl.namespace, [ep]);
      }
    }
    return byNamespace.get(namespace) ?? [];
  };
  for (const e of services) {
    const spec = e.decl.spec;
    if (spec.clusterIP !== undefined) {
      const addr = ipv4Number(spec.clusterIP);
      const prev = clusterIps.get(addr ?? spec.clusterIP);
      if (prev) {
        const msg = `clusterIP ${spec.clusterIP} is already service ${prev.decl.namespace}/${prev.decl.name}'s (${at(prev)})`;
        e.r.error(ValidateCode.clusterIp, ['spec', 'clusterIP'], msg);
      } else clusterIps.set(addr ?? spec.clusterIP, e);
      if (serviceCidr && addr !== null && !containsIpv4(serviceCidr, addr)) {
        e.r.error(
          ValidateCode.clusterIp,
          ['spec', 'clusterIP'],
          `clusterIP ${spec.clusterIP} is outside the serviceCIDR ${formatPrefix(serviceCidr)}`,
        );
      }
    }
    const selected = spec.selector
      ? inNamespace(e.decl.namespace).filter((ep) => selects(spec.selector!, ep.decl.labels))
      : NO_ENDPOINTS;
    if (selected.length === 0 && spec.backends.length === 0) {
      const why = spec.selector ? 'its selector matches no endpoint in its namespace' : 'it has no selector';
      e.r.warn(
        ValidateCode.selectsNothing,
        spec.selector ? ['spec', 'selector'] : ['spec'],
        `the service has no backends: ${why} and no explicit backends`,
      );
    }
    for (let i = 0; i < spec.ports.length; i++) {
      const p = spec.ports[i]!;
      if (p.nodePort !== undefined) {
        if (spec.type !== 'NodePort') {
          e.r.error(ValidateCode.nodePort, ['spec', 'ports', i, 'nodePort'], 'nodePort needs type: NodePort');
        }
        const prev = nodePorts.get(p.nodePort);
        if (prev)
          e.r.error(
            ValidateCode.nodePort,
            ['spec', 'ports', i, 'nodePort'],
            `nodePort ${p.nodePort} is also used by service ${prev.decl.namespace}/${prev.decl.name} (${at(prev)})`,
          );
        else nodePorts.set(p.nodePort, e);
      }
      if (typeof p.targetPort !== 'string') continue;
      const path = ['spec', 'ports', i, 'targetPort'];
      if (!spec.selector) {
        e.r.error(
          ValidateCode.targetPort,
          path,
          `named targetPort "${p.targetPort}" needs a selector whose endpoints declare it`,
        );
      } else if (
        selected.length > 0 &&
        !selected.some((ep) => ep.decl.spec.ports.some((q) => q.name === p.targetPort && q.protocol === p.protocol))
      ) {
        const msg = `named targetPort "${p.targetPort}" (${p.protocol}) is declared by none of the ${selected.length} selected endpoint(s)`;
        e.r.error(ValidateCode.targetPort, path, msg);
      }
    }
  }
}
