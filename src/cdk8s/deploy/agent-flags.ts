/** One flag of `gitwire agent`. */
export interface AgentFlag {
  readonly flag: string;
  /** Placeholder for help text and docs. */
  readonly value: string;
  readonly required: boolean;
  readonly description: string;
}

/**
 * The flags of `gitwire agent`, in the order the deployment manifests pass
 * them. The single list the DaemonSet, its ConfigMap and the systemd unit are
 * rendered from; check it against the agent's own `--help` when either changes.
 */
export const AGENT_FLAGS = {
  repo: { flag: '--repo', value: 'URL', required: true, description: 'configuration repository to pull' },
  node: { flag: '--node', value: 'NAME', required: true, description: 'the Node declaration this agent enforces' },
  rev: { flag: '--rev', value: 'REF', required: false, description: 'branch, tag or commit to follow' },
  interval: { flag: '--interval', value: 'DURATION', required: false, description: 'how often to pull, e.g. 30s' },
  etcdEndpoints: {
    flag: '--etcd-endpoints',
    value: 'URLS',
    required: false,
    description: 'comma-separated etcd URLs for cluster-wide identity allocation',
  },
  bpffsRoot: { flag: '--bpffs-root', value: 'DIR', required: false, description: 'where BPF maps are pinned' },
  metricsAddr: {
    flag: '--metrics-addr',
    value: 'HOST:PORT',
    required: false,
    description: 'Prometheus metrics listener',
  },
  observeAddr: {
    flag: '--observe-addr',
    value: 'HOST:PORT',
    required: false,
    description: "serve the node's events and flow records to `gitwire monitor --all-nodes` and `plan --impact`",
  },
  observeTokenFile: {
    flag: '--observe-token-file',
    value: 'FILE',
    required: false,
    description: 'bearer token for the observe listener (mount it from a Secret)',
  },
} as const satisfies Record<string, AgentFlag>;

export type AgentFlagName = keyof typeof AGENT_FLAGS;

/** Values for the agent's flags; `repo` and `node` are required, the rest are left to the agent's defaults when absent. */
export type AgentConfig = { readonly repo: string; readonly node: string } & {
  readonly [K in Exclude<AgentFlagName, 'repo' | 'node'>]?: string;
};

/** `gitwire agent` and its flags as argv, in AGENT_FLAGS order, leaving out the unset ones. */
export function agentArgs(config: AgentConfig): string[] {
  const args = ['agent'];
  for (const [name, f] of Object.entries(AGENT_FLAGS) as [AgentFlagName, AgentFlag][]) {
    const value = config[name];
    if (value !== undefined) args.push(`${f.flag}=${value}`);
  }
  return args;
}

/** The environment variable that carries a flag's value in the agent's ConfigMap: `--etcd-endpoints` → `GITWIRE_ETCD_ENDPOINTS`. */
export function flagEnvName(name: AgentFlagName): string {
  return `GITWIRE_${AGENT_FLAGS[name].flag.slice(2).toUpperCase().replaceAll('-', '_')}`;
}
