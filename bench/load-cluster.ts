// Loading the generated 100-node repository cold (see cluster-repo.ts), as a
// one-node plan does first: every file read and validated by validateTree
// with a fresh LoadCache. Median CPU (user + system) of the process per load.
//   node --expose-gc --import tsx bench/load-cluster.ts [runs=7]
import { LoadCache, validateTree } from '../src/desired/load-model.js';
import { clusterFiles, ISSUE_10_SHAPE } from './cluster-repo.js';

const runs = Number(process.argv[2] ?? 7);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const enc = new TextEncoder();
const files = Object.entries(clusterFiles(ISSUE_10_SHAPE)).map(([path, text]) => ({ path, content: enc.encode(text) }));
const bytes = files.reduce((n, f) => n + f.content.byteLength, 0);

const cpuMs: number[] = [];
for (let r = 0; r < runs; r++) {
  gc();
  const c0 = process.cpuUsage();
  const loaded = validateTree({ revision: 'a'.repeat(40), ref: 'bench', files }, { cache: new LoadCache() });
  const c = process.cpuUsage(c0);
  if (!loaded.model) throw new Error(loaded.diagnostics[0]?.message ?? 'invalid');
  cpuMs.push((c.user + c.system) / 1000);
}
const sorted = [...cpuMs].sort((a, b) => a - b);
console.log(
  `| ${files.length} files, ${(bytes / 1048576).toFixed(1)} MiB of YAML | median ${sorted[Math.floor(runs / 2)]!.toFixed(0)} ms CPU | fastest ${sorted[0]!.toFixed(0)} ms |`,
);
