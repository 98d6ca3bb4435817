import { k8s } from 'cdk8s-plus-32';
import { Construct } from 'constructs';
import { DEFAULT_BPFFS_ROOT, DEFAULT_INTERVAL, DEFAULT_METRICS_PORT, NETNS_DIR, STATE_DIR } from './agent-defaults.js';
import { agentArgs, flagEnvName, type AgentConfig, type AgentFlagName } from './agent-flags.js';

export interface GitwireAgentProps {
  /** Container image holding the gitwire CLI. */
  readonly image: string;
  /** Configuration repository URL. */
  readonly repo: string;
  readonly rev?: string;
  readonly interval?: string;
  readonly etcdEndpoints?: readonly string[];
  readonly metricsPort?: number;
  /** Prefix of every object's name (default `gitwire-agent`). */
  readonly name?: string;
  /** Namespace of the namespaced objects (default `kube-system`); the RBAC objects are cluster-scoped. */
  readonly namespace?: string;
}

/**
 * Everything running the gitwire agent on each node of a Kubernetes cluster
 * needs: a privileged host-network DaemonSet with bpffs and /run/netns
 * mounted, its ServiceAccount and RBAC, a ConfigMap carrying the agent's
 * flags, and a headless Service for metrics.
 */
export class GitwireAgent extends Construct {
  constructor(scope: Construct, id: string, props: GitwireAgentProps) {
    super(scope, id);
    const name = props.name ?? 'gitwire-agent';
    const namespace = props.namespace ?? 'kube-system';
    const labels = { 'app.kubernetes.io/name': 'gitwire', 'app.kubernetes.io/component': 'agent' };
    const metricsPort = props.metricsPort ?? DEFAULT_METRICS_PORT;

    // Flags come from the ConfigMap as environment variables; the node's name from the downward API.
    const flags: Partial<Record<AgentFlagName, string>> = {
      repo: props.repo,
      rev: props.rev,
      interval: props.interval ?? DEFAULT_INTERVAL,
      etcdEndpoints: props.etcdEndpoints?.join(','),
      bpffsRoot: DEFAULT_BPFFS_ROOT,
      metricsAddr: `0.0.0.0:${metricsPort}`,
    };
    const set = (Object.entries(flags) as [AgentFlagName, string | undefined][]).filter(
      (e): e is [AgentFlagName, string] => e[1] !== undefined,
    );
    const data = Object.fromEntries(set.map(([flag, value]) => [flagEnvName(flag), value]));
    const fromEnv = Object.fromEntries(set.map(([flag]) => [flag, `$(${flagEnvName(flag)})`]));
    const args = agentArgs({ ...fromEnv, node: '$(NODE_NAME)' } as AgentConfig);

    const account = new k8s.KubeServiceAccount(this, 'service-account', { metadata: { name, namespace, labels } });
    const role = new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name, labels },
      rules: [
        // The agent reads its own Node object (labels for host policies) and reports reconcile results as events.
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: account.name, namespace }],
    });
    const config = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${name}-config`, namespace, labels },
      data,
    });

    const hostPath = (volume: string, path: string) => ({
      name: volume,
      hostPath: { path, type: 'DirectoryOrCreate' },
    });
    new k8s.KubeDaemonSet(this, 'daemon-set', {
      metadata: { name, namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: account.name,
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            priorityClassName: 'system-node-critical',
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'agent',
                image: props.image,
                args,
                envFrom: [{ configMapRef: { name: config.name } }],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }],
                securityContext: { privileged: true },
                volumeMounts: [
                  // Bidirectional: maps pinned and namespaces created by the agent must be visible on the host.
                  { name: 'bpffs', mountPath: DEFAULT_BPFFS_ROOT, mountPropagation: 'Bidirectional' },
                  { name: 'netns', mountPath: NETNS_DIR, mountPropagation: 'Bidirectional' },
                  { name: 'state', mountPath: STATE_DIR },
                ],
              },
            ],
            volumes: [
              hostPath('bpffs', DEFAULT_BPFFS_ROOT),
              hostPath('netns', NETNS_DIR),
              hostPath('state', STATE_DIR),
            ],
          },
        },
      },
    });
    new k8s.KubeService(this, 'metrics', {
      metadata: { name: `${name}-metrics`, namespace, labels },
      spec: {
        clusterIp: 'None',
        selector: labels,
        ports: [{ name: 'metrics', port: metricsPort, targetPort: k8s.IntOrString.fromString('metrics') }],
      },
    });
  }
}
