import { IpRunner, run } from './internal/ip-runner.js';

/** One node of a local cluster: its network namespace and its underlay address (from its Node declaration). */
export interface UnderlayNode {
  readonly netns: string;
  readonly address: string;
}

export interface UnderlaySpec {
  /** Namespace that holds the bridge every node's underlay veth is enslaved to. */
  readonly fabricNetns: string;
  /** Prefix length of the underlay subnet the node addresses share. */
  readonly prefixLength: number;
  readonly nodes: readonly UnderlayNode[];
}

/** The underlay device inside each node namespace; gitwire's agent attaches NodePort programs where the address lives. */
export const UNDERLAY_DEVICE = 'ul0';
const BRIDGE = 'br-underlay';

/**
 * Builds a local cluster's underlay: one namespace per node, each joined by a
 * veth to a bridge in a fabric namespace, with the node's address on it. All
 * of it lives in namespaces this creates, so the machine's own network is
 * never touched. Refuses to reuse a namespace that already exists.
 */
export async function createUnderlay(spec: UnderlaySpec): Promise<void> {
  const ip = new IpRunner({ writes: 0 });
  await ip.write(null, [`netns add ${spec.fabricNetns}`]);
  await ip.write(spec.fabricNetns, [
    'link set dev lo up',
    `link add ${BRIDGE} type bridge`,
    `link set dev ${BRIDGE} up`,
  ]);
  for (const n of spec.nodes) await joinUnderlay(spec, n);
}

/** Adds one node to an existing underlay (a node joining the cluster): its namespace, veth and address. */
export async function joinUnderlay(spec: Omit<UnderlaySpec, 'nodes'>, node: UnderlayNode): Promise<void> {
  const ip = new IpRunner({ writes: 0 });
  const port = fabricPort(node.address);
  await ip.write(null, [`netns add ${node.netns}`]);
  await ip.write(spec.fabricNetns, [
    `link add ${port} type veth peer name ${UNDERLAY_DEVICE} netns ${node.netns}`,
    `link set dev ${port} master ${BRIDGE} up`,
  ]);
  await ip.write(node.netns, [
    'link set dev lo up',
    `addr add ${node.address}/${spec.prefixLength} dev ${UNDERLAY_DEVICE}`,
    `link set dev ${UNDERLAY_DEVICE} up`,
  ]);
}

/** Removes one node from the underlay (a node leaving): deleting its namespace takes its veth off the bridge. */
export async function leaveUnderlay(node: Pick<UnderlayNode, 'netns'>): Promise<void> {
  await new IpRunner({ writes: 0 }).remove(null, [`netns del ${node.netns}`]);
}

/** Deletes the namespaces createUnderlay made (their veths and the bridge go with them); absent ones are fine. */
export async function removeUnderlay(spec: Pick<UnderlaySpec, 'fabricNetns' | 'nodes'>): Promise<void> {
  const ip = new IpRunner({ writes: 0 });
  await ip.remove(null, [...spec.nodes.map((n) => `netns del ${n.netns}`), `netns del ${spec.fabricNetns}`]);
}

/** The bridge port of a node, named after its address (unique on the underlay) so nodes can join in any order. */
function fabricPort(address: string): string {
  const hex = address
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join('');
  return `ul${hex}`;
}

/** Names of the machine's network namespaces that start with `prefix` (what `down` sweeps after a crash). */
export async function netnsWithPrefix(prefix: string): Promise<string[]> {
  const res = await run('ip', ['-j', 'netns', 'list']);
  if (res.code !== 0 || res.stdout.trim() === '') return [];
  return (JSON.parse(res.stdout) as { name: string }[]).map((n) => n.name).filter((n) => n.startsWith(prefix));
}
