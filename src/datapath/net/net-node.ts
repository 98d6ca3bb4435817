/**
 * Where a driver works. A node is a network namespace: `nodeNs: null` means the
 * process's own (the `ip netns exec NODE gitwire apply` case); a name makes
 * every node-side command run as `ip -n <nodeNs>`, so one process can drive
 * several nodes (tests do). Endpoint namespaces are named in /run/netns and are
 * global to the machine, whatever the node.
 */
export interface NetNode {
  readonly nodeNs: string | null;
  /** The node's name; written into every ownership mark, so nodes sharing a machine never prune each other. */
  readonly owner: string;
}
