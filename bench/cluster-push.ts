// Push → enforced on every node of a local cluster, through the webhook and
// etcd: 20 commits that toggle one policy rule, each timed from the push until
// every node reports Ready at it (agents poll only every 10 minutes, so the
// webhook is the only way in). Needs root; builds a cluster named bench-<pid>.
// Usage: npx tsx bench/cluster-push.ts [commits=20]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster } from '../src/reconciler/cluster/local/index.js';

const commits = Number(process.argv[2] ?? 20);
const repo = new URL('../examples/repo', import.meta.url).pathname;
const cluster = await LocalCluster.up({
  name: `bench-${process.pid}`,
  repo,
  interval: '10m',
  stateRoot: '/tmp/gitwire-bench-clusters',
});
const FILE = join('policies', 'starwars', 'deathstar-l3-l4.yaml');
try {
  const original = readFileSync(join(cluster.layout.workTree, FILE), 'utf8');
  const first = await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
  console.log(`3 nodes Ready in ${Math.max(...first.values())} ms after up`);
  const times: number[] = [];
  for (let i = 0; i < commits; i++) {
    const start = performance.now();
    const sha = await cluster.commit(`toggle ${i}`, (dir) =>
      writeFileSync(
        join(dir, FILE),
        i % 2 === 0
          ? original.replace('            org: empire\n', '            org: empire\n            class: tiefighter\n')
          : original,
      ),
    );
    await cluster.waitConverged(sha, 60_000);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(0);
  console.log(
    `push → enforced on all ${cluster.nodes.length} nodes over ${commits} commits: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, min ${times[0]!.toFixed(0)} ms`,
  );
} finally {
  await cluster.down();
}
