// What one node's desired state of the generated 100-node repository (see
// cluster-repo.ts) costs to hold, as the agent holds it between passes: the
// model and the compiled state with its LoadCache and CompileCache, after a full GC.
//   node --expose-gc --import tsx bench/node-memory.ts
import { compile, CompileCache } from '../src/desired/compile.js';
import { LoadCache, validateTree } from '../src/desired/load-model.js';
import { clusterFiles, ISSUE_10_SHAPE } from './cluster-repo.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;
const usage = () => {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
};

const start = usage();
const enc = new TextEncoder();
const files = Object.entries(clusterFiles(ISSUE_10_SHAPE)).map(([path, text]) => ({
  path,
  content: enc.encode(text),
}));
// The agent keeps its LoadCache between passes (the files of the last commits, read and validated).
const loadCache = new LoadCache();
const loaded = validateTree({ revision: 'a'.repeat(40), ref: 'bench', files }, { cache: loadCache });
if (!loaded.model) throw new Error(loaded.diagnostics[0]?.message ?? 'invalid');
const cache = new CompileCache();
const state = compile(loaded.model, 'node-1', { cache });
const entries = Object.values(state.resources).reduce((n, list) => n + list.length, 0);
const held = usage();
console.log(`| node-1 of the 100-node repository | ${entries} desired entries |\n|---|---:|`);
console.log(`| RSS before loading | ${mib(start.rss)} |`);
console.log(`| RSS holding model, state and caches | ${mib(held.rss)} |`);
console.log(`| JS heap used (after GC) | ${mib(held.heap)} |`);
console.log(`| heap used by model, state and caches | ${mib(held.heap - start.heap)} |`);
console.log(`| files held by the LoadCache | ${loadCache.size} |`);
