/** Where the agent expects the host's BPF filesystem; pinned maps live under it. */
export const DEFAULT_BPFFS_ROOT = '/sys/fs/bpf';
/** Network namespaces the agent creates for endpoints, shared with `ip netns`. */
export const NETNS_DIR = '/run/netns';
/** The identity allocator's state and the git cache survive agent restarts here. */
export const STATE_DIR = '/var/lib/gitwire';
export const DEFAULT_METRICS_PORT = 9963;
export const DEFAULT_INTERVAL = '30s';
