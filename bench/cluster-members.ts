// Nodes joining and leaving a local cluster: each round commits a fourth Node
// with one endpoint (timed from the push until all four nodes report Ready at
// it, the new node's namespace and agent included), then commits its removal
// (timed until the three others are Ready and node-4's namespace, pins and
// agent are gone). Agents poll only every 10 minutes: commits arrive by webhook.
// Needs root; builds a cluster named bm-<pid>.
// Usage: npx tsx bench/cluster-members.ts [rounds=5]
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster } from '../src/reconciler/cluster/local/index.js';

const rounds = Number(process.argv[2] ?? 5);
const repo = new URL('../examples/repo', import.meta.url).pathname;
const NODE_4 = `apiVersion: gitwire.io/v1alpha1
kind: Node
metadata:
  name: node-4
spec:
  address: 192.168.50.14
  podCIDR: 10.0.4.0/24
---
apiVersion: gitwire.io/v1alpha1
kind: Endpoint
metadata:
  name: deathstar-4
  namespace: default
  labels:
    org: empire
    class: deathstar
spec:
  node: node-4
  address: 10.0.4.10
`;
const cluster = await LocalCluster.up({
  name: `bm-${process.pid}`,
  repo,
  interval: '10m',
  stateRoot: '/tmp/gitwire-bench-clusters',
});
try {
  await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
  const joins: number[] = [];
  const leaves: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let start = performance.now();
    const added = await cluster.commit('node-4 joins', (dir) =>
      writeFileSync(join(dir, 'nodes', 'node-4.yaml'), NODE_4),
    );
    await cluster.waitConverged(added, 60_000);
    joins.push(performance.now() - start);
    start = performance.now();
    const removed = await cluster.commit('node-4 leaves', (dir) => rmSync(join(dir, 'nodes', 'node-4.yaml')));
    await cluster.waitConverged(removed, 60_000);
    leaves.push(performance.now() - start);
  }
  const summary = (what: string, t: number[]) => {
    t.sort((a, b) => a - b);
    const at = (q: number) => t[Math.min(t.length - 1, Math.floor(q * t.length))]!.toFixed(0);
    console.log(`${what} over ${t.length} rounds: p50 ${at(0.5)} ms, max ${at(1)} ms, min ${t[0]!.toFixed(0)} ms`);
  };
  summary('node-4 joins → all 4 nodes Ready', joins);
  summary('node-4 leaves → removed, 3 nodes Ready', leaves);
} finally {
  await cluster.down();
}
