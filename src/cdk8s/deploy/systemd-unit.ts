import { DEFAULT_BPFFS_ROOT, DEFAULT_INTERVAL, DEFAULT_METRICS_PORT, NETNS_DIR } from './agent-defaults.js';
import { agentArgs } from './agent-flags.js';

export interface SystemdUnitProps {
  readonly repo: string;
  readonly rev?: string;
  readonly interval?: string;
  readonly etcdEndpoints?: readonly string[];
  readonly metricsPort?: number;
  /** Path of the gitwire executable on the host. */
  readonly binary?: string;
}

/**
 * A systemd unit running the agent on a host without Kubernetes. The node's
 * name is the host name (`%H`); git credentials go in /etc/gitwire/agent.env
 * (GITWIRE_GIT_TOKEN...), never on the command line.
 */
export function agentSystemdUnit(props: SystemdUnitProps): string {
  const args = agentArgs({
    repo: props.repo,
    node: '%H',
    ...(props.rev ? { rev: props.rev } : {}),
    interval: props.interval ?? DEFAULT_INTERVAL,
    ...(props.etcdEndpoints ? { etcdEndpoints: props.etcdEndpoints.join(',') } : {}),
    bpffsRoot: DEFAULT_BPFFS_ROOT,
    metricsAddr: `0.0.0.0:${props.metricsPort ?? DEFAULT_METRICS_PORT}`,
  });
  return [
    '[Unit]',
    "Description=gitwire agent: converges this node's eBPF datapath on a git repository",
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStartPre=/bin/sh -c 'mountpoint -q ${DEFAULT_BPFFS_ROOT} || mount -t bpf bpf ${DEFAULT_BPFFS_ROOT}'`,
    `ExecStartPre=/bin/mkdir -p ${NETNS_DIR}`,
    `ExecStart=${props.binary ?? '/usr/local/bin/gitwire'} ${args.join(' ')}`,
    'EnvironmentFile=-/etc/gitwire/agent.env',
    'StateDirectory=gitwire',
    'LimitMEMLOCK=infinity',
    'Restart=always',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
