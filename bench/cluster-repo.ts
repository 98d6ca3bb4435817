// The generated cluster of issue 10: 100 nodes, 5,000 endpoints, 2,000
// policies, 10,000 services × 10 backends, as YAML files of a git repository.
// Deterministic: the same seed gives the same files, byte for byte.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mulberry32 } from '../tests/support/seeded-random.js';

export interface ClusterShape {
  readonly nodes: number;
  readonly endpoints: number;
  readonly policies: number;
  readonly services: number;
  readonly backends: number;
  /** Picks the tier and port labels; the counts above stay exact. */
  readonly seed: number;
}

export const ISSUE_10_SHAPE: ClusterShape = {
  nodes: 100,
  endpoints: 5_000,
  policies: 2_000,
  services: 10_000,
  backends: 10,
  seed: 10,
};

const APPS = 500;
const NAMESPACES = 20;
const PER_FILE = 100;
/** The policy the second commit changes, and its file. */
export const CHANGED_POLICY = 'policy-0';
export const CHANGED_FILE = 'policies/0.yaml';

function doc(kind: string, api: string, meta: string, spec: string): string {
  return `apiVersion: ${api}\nkind: ${kind}\nmetadata:\n${meta}spec:\n${spec}`;
}

function chunked(prefix: string, docs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < docs.length; i += PER_FILE)
    out[`${prefix}/${i / PER_FILE}.yaml`] = docs.slice(i, i + PER_FILE).join('---\n');
  return out;
}

function policyDoc(j: number, port: string, peer: number): string {
  const app = j % APPS;
  return doc(
    'CiliumNetworkPolicy',
    'cilium.io/v2',
    `  name: policy-${j}\n  namespace: ns-${app % NAMESPACES}\n`,
    `  endpointSelector:\n    matchLabels:\n      app: app-${app}\n` +
      `  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            app: app-${peer}\n` +
      `            k8s:io.kubernetes.pod.namespace: ns-${peer % NAMESPACES}\n` +
      `      toPorts:\n        - ports:\n            - port: "${port}"\n              protocol: TCP\n` +
      `            - port: "9000"\n              endPort: 9010\n              protocol: TCP\n`,
  );
}

/** Path → content of the repository; `changed` applies the two-line policy change of the second commit. */
export function clusterFiles(shape: ClusterShape, changed = false): Record<string, string> {
  const rnd = mulberry32(shape.seed);
  const tiers = Array.from({ length: shape.endpoints }, () => ['web', 'api', 'db'][Math.floor(rnd() * 3)]!);
  const files: Record<string, string> = {
    'cluster.yaml': doc(
      'Cluster',
      'gitwire.io/v1alpha1',
      '  name: bench\n',
      '  clusterCIDR: 10.0.0.0/10\n  serviceCIDR: 10.96.0.0/12\n',
    ),
  };
  const nodes = Array.from({ length: shape.nodes }, (_, n) =>
    doc(
      'Node',
      'gitwire.io/v1alpha1',
      `  name: node-${n + 1}\n`,
      `  address: 192.168.${n >> 8}.${(n & 255) + 1}\n  podCIDR: 10.${1 + (n >> 8)}.${n & 255}.0/24\n`,
    ),
  );
  const endpoints = Array.from({ length: shape.endpoints }, (_, i) =>
    doc(
      'Endpoint',
      'gitwire.io/v1alpha1',
      `  name: pod-${i}\n  namespace: ns-${i % NAMESPACES}\n  labels:\n    app: app-${i % APPS}\n    tier: ${tiers[i]}\n`,
      `  node: node-${(i % shape.nodes) + 1}\n  ports:\n    - name: http\n      containerPort: 8080\n`,
    ),
  );
  const policies = Array.from({ length: shape.policies }, (_, j) => {
    const peer = (j * 7) % APPS;
    // The change: another port and another peer app (same namespace) for policy-0, two lines of one file.
    return changed && j === 0 ? policyDoc(j, '8080', peer + NAMESPACES) : policyDoc(j, '80', peer);
  });
  const services = Array.from({ length: shape.services }, (_, s) => {
    const backends = Array.from({ length: shape.backends }, (_, b) => {
      const n = s * shape.backends + b;
      return `    - address: 172.${16 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}\n      port: 8080\n`;
    }).join('');
    return doc(
      'Service',
      'gitwire.io/v1alpha1',
      `  name: svc-${s}\n  namespace: ns-${s % NAMESPACES}\n`,
      `  clusterIP: 10.${96 + (s >> 16)}.${(s >> 8) & 255}.${s & 255}\n  ports:\n    - port: 80\n` +
        `  backends:\n${backends}` +
        (s % 10 === 0 ? '  algorithm: maglev\n' : ''),
    );
  });
  Object.assign(files, chunked('nodes', nodes), chunked('endpoints', endpoints));
  Object.assign(files, chunked('policies', policies), chunked('services', services));
  return files;
}

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'gitwire bench',
  GIT_AUTHOR_EMAIL: 'bench@gitwire.invalid',
  GIT_COMMITTER_NAME: 'gitwire bench',
  GIT_COMMITTER_EMAIL: 'bench@gitwire.invalid',
  GIT_AUTHOR_DATE: '1700000000 +0000',
  GIT_COMMITTER_DATE: '1700000000 +0000',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
  }).trim();
}

function write(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Writes the repository at `dir` (new, empty) with two commits; returns their SHAs. */
export function writeClusterRepo(dir: string, shape: ClusterShape = ISSUE_10_SHAPE): { from: string; to: string } {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q');
  write(dir, clusterFiles(shape));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'generated cluster');
  const from = git(dir, 'rev-parse', 'HEAD');
  write(dir, { [CHANGED_FILE]: clusterFiles(shape, true)[CHANGED_FILE]! });
  git(dir, 'commit', '-q', '-am', `${CHANGED_POLICY}: port 8080 from another peer`);
  return { from, to: git(dir, 'rev-parse', 'HEAD') };
}
