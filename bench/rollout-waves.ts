// A good commit through three waves of one node each, no pause, against a
// single node's converge in the same run: first N commits that toggle one
// policy rule with no rollout declared (every node at once; each node's
// push → Ready is one single-node converge), then the Cluster declares the
// waves and N more toggles go wave by wave (push → the third node Ready).
// Needs root; builds a cluster named rb<pid> with nodes renamed to match.
// Usage: npx tsx bench/rollout-waves.ts [commits=8]
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster } from '../src/reconciler/cluster/local/index.js';

const commits = Number(process.argv[2] ?? 8);
const name = `rb${process.pid.toString(36)}`;
// Endpoint namespaces and pins are named after nodes: this run's names are its own.
const repo = mkdtempSync(join(tmpdir(), 'gitwire-rollout-bench-'));
cpSync(new URL('../examples/repo', import.meta.url).pathname, repo, { recursive: true });
const rename = (dir: string): void => {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) rename(p);
    else if (/\.ya?ml$/.test(f)) writeFileSync(p, readFileSync(p, 'utf8').replace(/\bnode-(\d)\b/g, `${name}-$1`));
  }
};
rename(repo);
const cluster = await LocalCluster.up({ name, repo, interval: '10m', stateRoot: '/tmp/gitwire-bench-clusters' });
const FILE = join('policies', 'starwars', 'deathstar-l3-l4.yaml');
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const work = cluster.layout.workTree;
  const original = readFileSync(join(work, FILE), 'utf8');
  await cluster.waitConverged(git(work, 'rev-parse', 'HEAD'));
  let toggles = 0;
  /** Pushes one toggle; returns ms from the push to each node Ready at it. */
  const toggle = async (): Promise<number[]> => {
    const i = toggles++;
    const start = performance.now();
    const sha = await cluster.commit(`toggle ${i}`, (dir) =>
      writeFileSync(
        join(dir, FILE),
        i % 2 === 0
          ? original.replace('            org: empire\n', '            org: empire\n            class: tiefighter\n')
          : original,
      ),
    );
    const pushed = performance.now() - start;
    const done = await cluster.waitConverged(sha, 120_000);
    return [...done.values()].map((ms) => ms + pushed);
  };
  const single: number[] = [];
  const atOnce: number[] = [];
  for (let i = 0; i < commits; i++) {
    const each = await toggle();
    single.push(...each);
    atOnce.push(Math.max(...each));
  }
  const waves = cluster.nodes.map((n) => `      - nodes: [${n.name}]\n`).join('');
  const declare = await cluster.commit('three waves of one node', (dir) =>
    writeFileSync(
      join(dir, 'cluster.yaml'),
      readFileSync(join(dir, 'cluster.yaml'), 'utf8') + `  rollout:\n    waves:\n${waves}    pause: 0s\n`,
    ),
  );
  await cluster.waitConverged(declare);
  const staged: number[] = [];
  for (let i = 0; i < commits; i++) staged.push(Math.max(...(await toggle())));
  const ratio = p50(staged) / p50(single);
  console.log(
    `single-node converge (push → one node Ready), ${single.length} samples: p50 ${p50(single).toFixed(0)} ms`,
  );
  console.log(`no rollout, push → all 3 nodes Ready, ${commits} commits: p50 ${p50(atOnce).toFixed(0)} ms`);
  console.log(`3 waves of one node, push → all 3 Ready, ${commits} commits: p50 ${p50(staged).toFixed(0)} ms`);
  console.log(`staged / single-node: ${ratio.toFixed(2)}× (goal under 3×)`);
} finally {
  await cluster.down();
  rmSync(repo, { recursive: true, force: true });
}
