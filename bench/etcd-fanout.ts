// Push → last agent notified, through one etcd: N agents (each its own etcd
// client and watch on the revisions prefix, as every gitwire agent has) and one
// webhook receiver that publishes 20 commits one after another.
// Usage: npx tsx bench/etcd-fanout.ts [agents=1000] [pushes=20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { publishRevision, watchRevisions } from '../src/reconciler/cluster/revision-feed.js';
import { startEtcd } from '../src/reconciler/cluster/local/etcd-process.js';

const agents = Number(process.argv[2] ?? 1000);
const pushes = Number(process.argv[3] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'gitwire-fanout-'));
const etcd = await startEtcd(dir, 'fanout');
const clients: Etcd3[] = [];
const seen = new Map<string, number>();
let waiting: { commit: string; resolve: () => void } | null = null;

try {
  const t0 = performance.now();
  for (let i = 0; i < agents; i++) {
    const client = new Etcd3({ hosts: [etcd.endpoint] });
    clients.push(client);
    await watchRevisions(client, (r) => {
      const n = (seen.get(r.commit) ?? 0) + 1;
      seen.set(r.commit, n);
      if (n === agents && waiting?.commit === r.commit) waiting.resolve();
    });
  }
  console.log(`${agents} agents watching after ${((performance.now() - t0) / 1000).toFixed(1)} s; rss ${rssMiB()} MiB`);
  const publisher = new Etcd3({ hosts: [etcd.endpoint] });
  clients.push(publisher);
  const times: number[] = [];
  for (let p = 0; p < pushes; p++) {
    const commit = p.toString(16).padStart(40, '0');
    const all = new Promise<void>((resolve) => (waiting = { commit, resolve }));
    const start = performance.now();
    await publishRevision(publisher, 'refs/heads/main', commit);
    await all;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(
    `push → last of ${agents} agents notified over ${pushes} pushes: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${times.at(-1)!.toFixed(1)} ms`,
  );
} finally {
  for (const c of clients) c.close();
  await etcd.stop();
  rmSync(dir, { recursive: true, force: true });
}

function rssMiB(): number {
  return Math.round(process.memoryUsage().rss / 2 ** 20);
}
