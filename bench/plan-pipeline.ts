// The whole dry-run pipeline on a large configuration, from YAML bytes to a plan:
// 50 nodes, 5,000 endpoints, 2,000 policies, 10,000 services × 10 backends.
// Two commits that differ in one policy. Commit A is loaded and compiled cold;
// commit B with the LoadCache and CompileCache that A left, as the agent loop
// and `gitwire plan --from A --to B` do. Wall and CPU time per phase (the CPU
// column includes GC and other threads), and peak memory.
// Run: npx tsx bench/plan-pipeline.ts
import { performance } from 'node:perf_hooks';
import { compile, CompileCache } from '../src/desired/compile.js';
import { LoadCache, validateTree } from '../src/desired/load-model.js';
import type { RepoFile, RepoTree } from '../src/desired/source/repo-tree.js';
import { asObserved, plan } from '../src/reconciler/plan.js';

const NODES = 50;
const ENDPOINTS = 5_000;
const POLICIES = 2_000;
const SERVICES = 10_000;
const BACKENDS = 10;
const APPS = 500;
const NAMESPACES = 20;
const PER_FILE = 100;

const enc = new TextEncoder();

function doc(kind: string, api: string, meta: string, spec: string): string {
  return `apiVersion: ${api}\nkind: ${kind}\nmetadata:\n${meta}spec:\n${spec}`;
}

function files(prefix: string, docs: string[]): RepoFile[] {
  const out: RepoFile[] = [];
  for (let i = 0; i < docs.length; i += PER_FILE) {
    out.push({
      path: `${prefix}/${i / PER_FILE}.yaml`,
      content: enc.encode(docs.slice(i, i + PER_FILE).join('---\n')),
    });
  }
  return out;
}

function policyDoc(j: number, port: number): string {
  const app = j % APPS;
  const peer = (j * 7) % APPS;
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

function tree(revision: string, changedPolicyPort: number): RepoTree {
  const out: RepoFile[] = [
    {
      path: 'cluster.yaml',
      content: enc.encode(
        doc(
          'Cluster',
          'gitwire.io/v1alpha1',
          '  name: bench\n',
          '  clusterCIDR: 10.0.0.0/10\n  serviceCIDR: 10.96.0.0/12\n',
        ),
      ),
    },
  ];
  const nodes = Array.from({ length: NODES }, (_, n) =>
    doc(
      'Node',
      'gitwire.io/v1alpha1',
      `  name: node-${n}\n`,
      `  address: 192.168.${n >> 8}.${(n & 255) + 1}\n  podCIDR: 10.1.${n}.0/24\n`,
    ),
  );
  const endpoints = Array.from({ length: ENDPOINTS }, (_, i) =>
    doc(
      'Endpoint',
      'gitwire.io/v1alpha1',
      `  name: pod-${i}\n  namespace: ns-${i % NAMESPACES}\n  labels:\n    app: app-${i % APPS}\n    tier: ${['web', 'api', 'db'][i % 3]}\n`,
      `  node: node-${i % NODES}\n  ports:\n    - name: http\n      containerPort: 8080\n`,
    ),
  );
  const policies = Array.from({ length: POLICIES }, (_, j) => policyDoc(j, j === 0 ? changedPolicyPort : 80));
  const services = Array.from({ length: SERVICES }, (_, s) => {
    const backends = Array.from(
      { length: BACKENDS },
      (_, b) =>
        `    - address: 172.16.${((s * BACKENDS + b) >> 8) & 255}.${(s * BACKENDS + b) & 255}\n      port: 8080\n`,
    ).join('');
    return doc(
      'Service',
      'gitwire.io/v1alpha1',
      `  name: svc-${s}\n  namespace: ns-${s % NAMESPACES}\n`,
      `  clusterIP: 10.${96 + (s >> 16)}.${(s >> 8) & 255}.${s & 255}\n  ports:\n    - port: 80\n` +
        `  backends:\n${backends}` +
        (s % 10 === 0 ? '  algorithm: maglev\n' : ''),
    );
  });
  out.push(...files('nodes', nodes), ...files('endpoints', endpoints), ...files('policies', policies));
  out.push(...files('services', services));
  return { revision, ref: revision, files: out };
}

interface Timed<T> {
  readonly result: T;
  readonly wall: number;
  readonly cpu: number;
}

function timed<T>(fn: () => T): Timed<T> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { result, wall, cpu: (c.user + c.system) / 1000 };
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);

const gen = timed(() => tree('a'.repeat(40), 80));
const a = gen.result;
const b = tree('b'.repeat(40), 8080);
const bytes = a.files.reduce((n, f) => n + f.content.length, 0);

const loadCache = new LoadCache();
const compileCache = new CompileCache();
const loadA = timed(() => validateTree(a, { cache: loadCache }));
const loadB = timed(() => validateTree(b, { cache: loadCache }));
const modelA = loadA.result.model;
const modelB = loadB.result.model;
if (!modelA || !modelB) {
  console.error(loadA.result.diagnostics.concat(loadB.result.diagnostics).slice(0, 5));
  process.exit(2);
}
const compileA = timed(() => compile(modelA, 'node-0', { cache: compileCache }));
const compileB = timed(() => compile(modelB, 'node-0', { cache: compileCache }));
const diff = timed(() => plan(compileB.result, asObserved(compileA.result)));
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);

const sum = (...ts: Timed<unknown>[]) => ({
  wall: ts.reduce((n, t) => n + t.wall, 0),
  cpu: ts.reduce((n, t) => n + t.cpu, 0),
});
const entries = Object.values(compileB.result.resources).reduce((n, e) => n + e.length, 0);
const ms = (t: { wall: number; cpu: number }): [string, string] => [t.wall.toFixed(0), t.cpu.toFixed(0)];
const rows: [string, string, string, string][] = [
  ['repository', '', '', `${a.files.length} files, ${(bytes / 1048576).toFixed(1)} MiB of YAML`],
  ['generate (not gitwire)', ...ms(gen), ''],
  ['load + validate A (cold)', ...ms(loadA), `${modelA.services.length + modelA.policies.length} declarations`],
  ['load + validate B (cache of A)', ...ms(loadB), 'one file differs'],
  ['compile node-0, A (cold)', ...ms(compileA), ''],
  ['compile node-0, B (cache of A)', ...ms(compileB), `${entries} entries`],
  ['plan (diff) B against A', ...ms(diff), `${diff.result.changes.length} changes`],
  ['one node, new commit: load B + compile B + diff', ...ms(sum(loadB, compileB, diff)), 'the agent loop'],
  ['whole dry run A → B from YAML', ...ms(sum(loadA, loadB, compileA, compileB, diff)), 'gitwire plan'],
  ['peak RSS', '', '', `${(peak / 1048576).toFixed(0)} MiB`],
];
const w = Math.max(...rows.map(([k]) => k.length));
console.log(`| ${'phase'.padEnd(w)} | wall ms | CPU ms | |\n|${'-'.repeat(w + 2)}|---:|---:|---|`);
for (const [k, wall, cpu, note] of rows) console.log(`| ${k.padEnd(w)} | ${wall} | ${cpu} | ${note} |`);
