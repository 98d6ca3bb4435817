// A changed rule recompiles only what it selects: the shape of Cilium's
// BenchmarkRegenerateL3IngressPolicyRules (1,000 L3 ingress rules over 3,000
// identities). One endpoint on node n1 is selected by 1,000 rules; rule i
// allows from the three identities of group i, 3,000 peer identities on n2.
// Figures: the node's full compile, and a compile with a CompileCache after
// one rule changed (a new rule object each round, as a new commit gives).
//   npx tsx bench/selector-cache.ts [rounds]
import { performance } from 'node:perf_hooks';
import { compile, CompileCache } from '../src/desired/compile.js';
import type { Model, PolicyDeclaration } from '../src/desired/model.js';
import { ModelBuilder } from '../tests/support/model-builder.js';

const RULES = 1_000;
const IDENTITIES = 3_000;
const rounds = Number(process.argv[2] ?? 30);

function buildModel(): Model {
  const b = new ModelBuilder('bench')
    .cluster({ clusterCIDR: '10.0.0.0/8' })
    .node('n1', '192.168.0.1', '10.1.0.0/24')
    .node('n2', '192.168.0.2', '10.2.0.0/16')
    .endpoint('target', 'n1', { labels: { app: 'target' } });
  for (let i = 0; i < IDENTITIES; i++)
    b.endpoint(`peer-${i}`, 'n2', { labels: { peer: `p${i}`, group: `g${i % RULES}` } });
  for (let r = 0; r < RULES; r++) b.policy(`rule-${r}`, rule(r, `g${r}`));
  return b.build();
}

function rule(r: number, group: string) {
  return {
    endpointSelector: { matchLabels: { app: 'target' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { group } }] }],
    description: `rule ${r}`,
  };
}

/** The model with rule 0 replaced by a new declaration that allows from another group. */
function withChangedRule(model: Model, round: number): Model {
  const fresh = new ModelBuilder('bench').policy('rule-0', rule(0, `g${1 + (round % (RULES - 1))}`)).build();
  const policies: PolicyDeclaration[] = [fresh.policies[0]!, ...model.policies.slice(1)];
  return { ...model, revision: `round-${round}`, policies };
}

/** Wall and CPU (this process, all threads) milliseconds of fn: on a shared machine CPU is the steadier one. */
function ms(fn: () => unknown): [number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return [performance.now() - t0, (c.user + c.system) / 1000];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medians = (xs: [number, number][]) =>
  `${median(xs.map((x) => x[0])).toFixed(1)} | ${median(xs.map((x) => x[1])).toFixed(1)}`;
const model = buildModel();
const full: [number, number][] = [];
for (let i = 0; i < Math.min(rounds, 10); i++) full.push(ms(() => compile(model, 'n1')));
const cache = new CompileCache();
compile(model, 'n1', { cache });
const changed: [number, number][] = [];
let entries = 0;
for (let i = 0; i < rounds; i++) {
  const next = withChangedRule(model, i);
  changed.push(ms(() => (entries = compile(next, 'n1', { cache }).resources.policy.length)));
}
console.log(
  `| compile of n1 (${RULES} rules, ${IDENTITIES} peer identities, ${entries} policy entries) | wall ms | CPU ms |`,
);
console.log('|---|---:|---:|');
console.log(`| full compile, no cache (median of ${full.length}) | ${medians(full)} |`);
console.log(`| with a CompileCache, one rule changed (median of ${rounds}) | ${medians(changed)} |`);
