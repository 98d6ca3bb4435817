// What `plan --impact` costs per observed flow: every ordered pair of
// examples/repo's endpoint identities on PORTS ports, judged by explain in
// revision A (examples/repo) and B (default/rule1 on 8080 instead of 80).
//   npx tsx bench/impact.ts [ports, comma-separated]
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileAll } from '../src/desired/index.js';
import type { FlowRecord } from '../src/reconciler/flows/flow-store.js';
import { computeNodeImpact, type RevisionView } from '../src/reconciler/impact/index.js';
import { loadRevision } from '../src/reconciler/load-revision.js';

const EXAMPLE = new URL('../examples/repo', import.meta.url).pathname;
const RULE1 = 'policies/starwars/deathstar-l3-l4.yaml';
const dir = mkdtempSync(join(tmpdir(), 'gitwire-bench-impact-'));

async function view(repo: string): Promise<RevisionView> {
  const { model, revision } = await loadRevision(repo);
  return { revision, model, states: compileAll(model) };
}

try {
  cpSync(EXAMPLE, dir, { recursive: true });
  writeFileSync(join(dir, RULE1), readFileSync(join(dir, RULE1), 'utf8').replace('port: "80"', 'port: "8080"'));
  const before = await view(EXAMPLE);
  const after = await view(dir);
  const ids = [
    ...new Set([...before.states.values()].flatMap((s) => s.resources.endpoint.map((e) => e.value.identity))),
  ];
  for (const ports of (process.argv[2] ?? '1,10,100').split(',').map(Number)) {
    const now = new Date();
    const records: FlowRecord[] = ids.flatMap((src) =>
      ids.flatMap((dst) =>
        Array.from({ length: ports }, (_, p) => ({
          ...{ srcIdentity: src, dstIdentity: dst, port: 80 + p, protocol: 6, verdict: 'allow' as const },
          ...{ count: 1, firstSeen: now, lastSeen: now },
        })),
      ),
    );
    const t0 = performance.now();
    const r = computeNodeImpact({ node: 'node-1', before, after, records, now });
    const ms = performance.now() - t0;
    console.log(
      `${records.length} flows: ${Math.round(ms)} ms (${((ms * 1000) / records.length).toFixed(0)} µs a flow); ` +
        `${r.newlyDropped.length} newly dropped, ${r.unchanged} unchanged, ${r.unevaluated.length} not evaluated`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
