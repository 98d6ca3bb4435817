import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BPFFS_ROOT } from '../../src/datapath/programs/index.js';
import { DEFAULT_LOCK_DIR } from '../../src/reconciler/node-lock.js';
import { createNetns, deleteNetns, makeVethPair, run } from './netns.js';
import { endpointNetns, endpointNetnsPrefix } from '../../src/desired/index.js';
import { makeTempDir } from './git-fixtures.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CORPUS = join(ROOT, '../shared/conformance/cilium/examples');

/**
 * A gitwire node for kernel tests: a network namespace that plays the node, a
 * private bpffs root for its pins and a configuration directory to apply.
 * Everything it creates carries the node's unique name, so cleanup() finds it
 * even after a failed test.
 */
export class TestNode {
  readonly name: string;
  readonly netns: string;
  readonly bpffsRoot: string;
  readonly configDir: string;

  constructor(prefix: string) {
    this.name = `${prefix}${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
    this.netns = `${this.name}-node`;
    this.bpffsRoot = `/sys/fs/bpf/gwtest-${this.name}`;
    this.configDir = makeTempDir(`gitwire-${this.name}-`);
    createNetns(this.netns);
  }

  /** The netns compile gives an endpoint of this node. */
  endpointNetns(name: string, namespace = 'default'): string {
    return endpointNetns(this.name, namespace, name);
  }

  /** What reconcileNode needs to converge this node to its configuration directory. */
  get reconcileTarget(): { repo: string; node: string; nodeNs: string; bpffsRoot: string } {
    return { repo: this.configDir, node: this.name, nodeNs: this.netns, bpffsRoot: this.bpffsRoot };
  }

  /** Replaces the configuration directory's files (path → YAML). */
  writeConfig(files: Record<string, string>): void {
    rmSync(this.configDir, { recursive: true, force: true });
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(this.configDir, path, '..'), { recursive: true });
      writeFileSync(join(this.configDir, path), text);
    }
  }

  /**
   * A network outside the cluster: namespace `<node>-<suffix>` joined to the
   * node namespace by a veth (`ext-<suffix>` on the node's side). Each subnet
   * `a.b.c.0/24` gets `a.b.c.1` on the node's side and the given host
   * addresses on the outside; the outside reaches the pod CIDR through the
   * node. Returns the outside namespace's name.
   */
  addOutside(suffix: string, subnets: Record<string, readonly string[]>, podCidr = '10.0.1.0/24'): string {
    const ns = `${this.name}-${suffix}`;
    createNetns(ns);
    const nets = Object.entries(subnets).map(([cidr, hosts]) => ({ base: cidr.replace(/\.0\/24$/, ''), hosts }));
    makeVethPair(
      { netns: this.netns, name: `ext-${suffix}`, addresses: nets.map((n) => `${n.base}.1/24`) },
      { netns: ns, name: 'eth0', addresses: nets.flatMap((n) => n.hosts.map((h) => `${h}/24`)) },
    );
    run('ip', ['-n', ns, 'route', 'add', podCidr, 'via', `${nets[0]!.base}.1`]);
    return ns;
  }

  /** Where the node's pins go when a test applies it without --bpffs-root, as the README does. */
  get defaultPinDir(): string {
    return join(DEFAULT_BPFFS_ROOT, this.name);
  }

  /** Removes every namespace named after the node (its own, its endpoints', outside networks), its pins, lock and config. */
  cleanup(): void {
    const all = run('ip', ['netns', 'list'])
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '');
    for (const ns of all)
      if (ns.startsWith(endpointNetnsPrefix(this.name)) || ns.startsWith(`${this.name}-`)) deleteNetns(ns);
    for (const dir of [this.bpffsRoot, this.defaultPinDir])
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    rmSync(this.configDir, { recursive: true, force: true });
    // Nobody waits on the lock once the test is over, so its file can go.
    rmSync(join(DEFAULT_LOCK_DIR, `${this.name}.lock`), { force: true });
  }
}

export function clusterYaml(node: TestNode, extra = ''): string {
  return `apiVersion: gitwire.io/v1alpha1
kind: Cluster
metadata:
  name: test
spec:
  clusterCIDR: 10.0.0.0/16
${extra}---
apiVersion: gitwire.io/v1alpha1
kind: Node
metadata:
  name: ${node.name}
spec:
  address: 192.0.2.1
  podCIDR: 10.0.1.0/24
`;
}

export function endpointYaml(node: TestNode, name: string, address: string, labels: Record<string, string>): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `    ${k}: ${v}\n`)
    .join('');
  return `apiVersion: gitwire.io/v1alpha1
kind: Endpoint
metadata:
  name: ${name}
  namespace: default
  labels:
${l}spec:
  node: ${node.name}
  address: ${address}
`;
}

/** The deathstar NodePort Service (10.96.0.10:80, node port 30080); `extraSpec` lines go after its clusterIP. */
export function deathstarServiceYaml(extraSpec = ''): string {
  return `apiVersion: gitwire.io/v1alpha1
kind: Service
metadata:
  name: deathstar
  namespace: default
spec:
  type: NodePort
  clusterIP: 10.96.0.10
${extraSpec}  ports:
    - port: 80
      nodePort: 30080
  selector:
    class: deathstar
`;
}

/** A policy named ds-peers: deathstar endpoints may reach each other on these TCP ports. */
export function deathstarPeersYaml(ports: readonly number[]): string {
  const items = ports.map((p) => `            - port: "${p}"\n              protocol: TCP\n`).join('');
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ds-peers
  namespace: default
spec:
  endpointSelector:
    matchLabels:
      class: deathstar
  ingress:
    - fromEndpoints:
        - matchLabels:
            class: deathstar
      toPorts:
        - ports:
${items}`;
}

/** Two deathstar endpoints on `node` with the given Service and ds-peers policy: the kept-node tests' configuration. */
export function deathstarNodeConfig(node: TestNode, service: string, policy: string): Record<string, string> {
  return {
    'cluster.yaml': clusterYaml(node),
    'ds1.yaml': endpointYaml(node, 'deathstar-1', '10.0.1.10', { class: 'deathstar' }),
    'ds2.yaml': endpointYaml(node, 'deathstar-2', '10.0.1.11', { class: 'deathstar' }),
    'service.yaml': service,
    'policy.yaml': policy,
  };
}

/** The Star Wars L3/L4 policy from Cilium's corpus when it is there, else the project's own copy of it. */
export function starWarsL3L4(): string {
  const corpus = join(CORPUS, 'minikube/sw_l3_l4_policy.yaml');
  if (existsSync(corpus)) return readFileSync(corpus, 'utf8');
  return readFileSync(join(ROOT, 'examples/repo/policies/starwars/deathstar-l3-l4.yaml'), 'utf8');
}
