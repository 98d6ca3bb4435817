// Compile time for one node of a large cluster: 5,000 endpoints over 50 nodes,
// 2,000 policies, 10,000 services with 10 backends each (every tenth one Maglev).
// Run: npx tsx bench/compile.ts
import { performance } from 'node:perf_hooks';
import { compile, CompileCache } from '../src/desired/compile.js';
import { buildClusterProgram } from '../src/desired/compile/cluster-program.js';
import { compileNode } from '../src/desired/compile/compile-node.js';
import { RESOURCE_KINDS } from '../src/desired/desired-state.js';
import { ModelBuilder } from '../tests/support/model-builder.js';

const NODES = 50;
const ENDPOINTS = 5_000;
const POLICIES = 2_000;
const SERVICES = 10_000;
const APPS = 500;
const NAMESPACES = 20;

function buildModel() {
  const b = new ModelBuilder('bench').cluster({ clusterCIDR: '10.0.0.0/8', serviceCIDR: '10.96.0.0/12' });
  for (let n = 0; n < NODES; n++) b.node(`node-${n}`, `192.168.${n >> 8}.${(n & 255) + 1}`, `10.1.${n}.0/24`);
  for (let i = 0; i < ENDPOINTS; i++) {
    b.endpoint(`pod-${i}`, `node-${i % NODES}`, {
      namespace: `ns-${i % NAMESPACES}`,
      labels: { app: `app-${i % APPS}`, tier: ['web', 'api', 'db'][i % 3]!, pod: `p${i}` },
      ports: [{ name: 'http', containerPort: 8080 }],
    });
  }
  for (let j = 0; j < POLICIES; j++) {
    const app = j % APPS;
    const peer = (j * 7) % APPS;
    b.policy(
      `policy-${j}`,
      {
        endpointSelector: { matchLabels: { app: `app-${app}` } },
        ingress: [
          {
            fromEndpoints: [
              { matchLabels: { app: `app-${peer}`, 'k8s:io.kubernetes.pod.namespace': `ns-${peer % NAMESPACES}` } },
            ],
            toPorts: [
              {
                ports: [
                  { port: 'http', protocol: 'TCP' },
                  { port: '9000', endPort: 9010, protocol: 'TCP' },
                ],
              },
            ],
          },
        ],
        egress: [
          { toCIDRSet: [{ cidr: `172.${16 + (j % 16)}.0.0/16`, except: [`172.${16 + (j % 16)}.${j % 256}.0/24`] }] },
          { toEntities: ['kube-apiserver'] },
        ],
        ...(j % 10 === 0 ? { ingressDeny: [{ fromEntities: ['world' as const] }] } : {}),
      },
      `ns-${app % NAMESPACES}`,
    );
  }
  for (let s = 0; s < SERVICES; s++) {
    const app = s % APPS;
    b.service(
      `svc-${s}`,
      {
        ports: [{ port: 80, targetPort: 'http' }],
        selector: { app: `app-${app}` },
        ...(s % 10 === 0 ? { algorithm: 'maglev' as const } : {}),
      },
      `ns-${app % NAMESPACES}`,
    );
  }
  return b.build();
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const result = fn();
  return [result, performance.now() - t0];
}

const [model, buildMs] = time(buildModel);
const [program, clusterMs] = time(() => buildClusterProgram(model));
const [state, nodeMs] = time(() => compileNode(program, 'node-7'));
const [, node2Ms] = time(() => compileNode(program, 'node-8'));
const [, fullMs] = time(() => compile(model, 'node-7'));
const [, jsonMs] = time(() => JSON.stringify(state));
// The next commit changes one policy: a CompileCache reuses everything else.
const cache = new CompileCache();
const [, coldCacheMs] = time(() => compile(model, 'node-7', { cache }));
const [first, ...rest] = model.policies;
const changed = { ...model, policies: [{ ...first!, rules: first!.rules.map((r) => ({ ...r })) }, ...rest] };
const [, warmMs] = time(() => compile(changed, 'node-7', { cache }));

const rows: [string, string][] = [
  ['model (in memory)', `${NODES} nodes, ${ENDPOINTS} endpoints, ${POLICIES} policies, ${SERVICES} services`],
  ['build model', `${buildMs.toFixed(0)} ms`],
  ['cluster-wide program', `${clusterMs.toFixed(0)} ms`],
  ['one node from the program', `${nodeMs.toFixed(0)} ms (second node ${node2Ms.toFixed(0)} ms)`],
  ['compile(model, node) total', `${fullMs.toFixed(0)} ms`],
  ['JSON.stringify(state)', `${jsonMs.toFixed(0)} ms`],
  ['compile with a CompileCache, first', `${coldCacheMs.toFixed(0)} ms`],
  ['  next commit, one policy changed', `${warmMs.toFixed(0)} ms`],
  ...RESOURCE_KINDS.map((k): [string, string] => [`  ${k} entries`, String(state.resources[k].length)]),
  ['  warnings', String(state.warnings.length)],
];
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
