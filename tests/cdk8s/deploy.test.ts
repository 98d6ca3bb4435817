import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { AGENT_FLAGS, GitwireAgent, ManifestFile, agentSystemdUnit, flagEnvName } from '../../src/cdk8s/index.js';
import { runSynth } from '../../src/cdk8s/synth/index.js';
import { emptyRepoApp, parsedDocuments } from './synth-helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Kubernetes' own OpenAPI schemas, as kubernetes-models ships them; validate() throws on any violation. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/DaemonSet': DaemonSet,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
};

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

function agentDocs(props: Partial<ConstructorParameters<typeof GitwireAgent>[2]> = {}): Doc[] {
  const { app, dispose } = emptyRepoApp(false);
  try {
    const file = new ManifestFile(app, 'k8s', { file: 'agent.yaml' });
    new GitwireAgent(file, 'agent', { image: 'gitwire:test', repo: 'https://git.test/cfg.git', ...props });
    return parsedDocuments(app.synthFiles().files) as Doc[];
  } finally {
    dispose();
  }
}

const validate = (d: Doc): void => {
  const Model = MODELS[`${d.apiVersion}/${d.kind}`];
  if (!Model) throw new Error(`no schema for ${d.apiVersion} ${d.kind}`);
  new Model(d as never).validate();
};

describe('deployment manifests', () => {
  it('synthesize every object the agent needs, each valid against the Kubernetes schemas', () => {
    const docs = agentDocs({ etcdEndpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'], rev: 'main' });
    expect(docs.map((d) => d.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'DaemonSet',
      'Service',
      'ServiceAccount',
    ]);
    for (const d of docs) expect(() => validate(d), `${d.kind} ${d.metadata.name}`).not.toThrow();
  });

  it('are checked by a validator that rejects a broken DaemonSet', () => {
    const ds = agentDocs().find((d) => d.kind === 'DaemonSet') as Doc & {
      spec: { template: { spec: { containers: unknown[] } } };
    };
    ds.spec.template.spec.containers = [{ name: 'agent', image: 'x', securityContext: { privileged: 'yes' } }];
    expect(() => validate(ds)).toThrow(/privileged/);
  });

  it('run the agent privileged on the host network with bpffs and /run/netns mounted', () => {
    const ds = agentDocs().find((d) => d.kind === 'DaemonSet') as unknown as {
      spec: {
        template: {
          spec: Record<string, unknown> & { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[] };
        };
      };
    };
    const pod = ds.spec.template.spec;
    const container = pod.containers[0] as { securityContext: unknown; volumeMounts: { mountPath: string }[] };
    expect(pod.hostNetwork).toBe(true);
    expect(container.securityContext).toEqual({ privileged: true });
    expect(container.volumeMounts.map((m) => m.mountPath)).toEqual(
      expect.arrayContaining(['/sys/fs/bpf', '/run/netns']),
    );
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: 'bpffs', hostPath: { path: '/sys/fs/bpf', type: 'DirectoryOrCreate' } },
        { name: 'netns', hostPath: { path: '/run/netns', type: 'DirectoryOrCreate' } },
      ]),
    );
  });

  it('pass only flags from AGENT_FLAGS, every required one, each value from the ConfigMap or the downward API', () => {
    const docs = agentDocs({ rev: 'v1', etcdEndpoints: ['http://e:2379'] });
    const ds = docs.find((d) => d.kind === 'DaemonSet') as unknown as {
      spec: { template: { spec: { containers: { args: string[]; env: { name: string }[] }[] } } };
    };
    const data = (docs.find((d) => d.kind === 'ConfigMap') as unknown as { data: Record<string, string> }).data;
    const [command, ...args] = ds.spec.template.spec.containers[0]?.args ?? [];
    expect(command).toBe('agent');
    const known = new Map<string, keyof typeof AGENT_FLAGS>(
      Object.entries(AGENT_FLAGS).map(([name, f]) => [f.flag, name as keyof typeof AGENT_FLAGS]),
    );
    const passed = new Set<string>();
    for (const arg of args) {
      const [flag, value] = arg.split('=', 2) as [string, string];
      const name = known.get(flag);
      expect(name, `${flag} is not a flag of gitwire agent`).toBeDefined();
      passed.add(flag);
      if (name === 'node') expect(value).toBe('$(NODE_NAME)');
      else expect(data[flagEnvName(name!)], `${flag} has no ConfigMap value`).toBeDefined();
    }
    for (const f of Object.values(AGENT_FLAGS).filter((f) => f.required)) expect(passed).toContain(f.flag);
    expect(passed).toContain('--etcd-endpoints');
    expect(data.GITWIRE_ETCD_ENDPOINTS).toBe('http://e:2379');
  });

  it('include a systemd unit that mounts bpffs and runs the agent with its real flags', () => {
    const unit = agentSystemdUnit({ repo: 'https://git.test/cfg.git' });
    const exec = unit.split('\n').find((l) => l.startsWith('ExecStart='))!;
    const flags = exec
      .split(' ')
      .slice(2)
      .map((a) => a.split('=')[0]);
    const known = Object.values(AGENT_FLAGS).map((f) => f.flag as string);
    expect(exec.split(' ')[1]).toBe('agent');
    for (const f of flags) expect(known).toContain(f);
    expect(flags).toEqual(expect.arrayContaining(['--repo', '--node']));
    expect(unit).toContain('mount -t bpf bpf /sys/fs/bpf');
  });

  it('are committed as the deploy app synthesizes them', { timeout: 120_000 }, async () => {
    const report = await runSynth({
      repo: join(ROOT, 'deploy'),
      app: `'${join(ROOT, 'node_modules/.bin/tsx')}' main.ts`,
      check: true,
    });
    expect(report.files.map((f) => `${f.status} ${f.path}`)).toEqual([
      'unchanged kubernetes/gitwire-agent.yaml',
      'unchanged systemd/gitwire-agent.service',
    ]);
  });
});
