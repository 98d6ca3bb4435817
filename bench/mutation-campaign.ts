// Mutation campaign: structure-aware mutations of examples/repo and of Cilium's
// policy corpus (../shared/conformance, when present) through validate,
// compile and plan, counting crashes (an error without a stable E_ code),
// hangs (an iteration past the watchdog) and memory (a worker heap cap).
// Run: npx tsx bench/mutation-campaign.ts [--count 10000] [--seed 1]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { compile, validateTree } from '../src/desired/index.js';
import { emptyObserved, plan } from '../src/reconciler/plan.js';
import { mulberry32 } from '../tests/support/seeded-random.js';
import { mutateTree, type TreeFile } from './mutation/mutate-tree.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CORPUS = join(ROOT, '../shared/conformance/cilium/examples');
const HANG_MS = 30_000;
const HEAP_CAP_MB = 1536;

type Outcome = 'accepted' | 'rejected' | 'stopped' | 'crash';
interface Result {
  readonly i: number;
  readonly outcome: Outcome;
  readonly ms: number;
  readonly heapMb: number;
  readonly what: string;
  readonly error?: string;
}

function yamlFiles(dir: string, prefix = ''): TreeFile[] {
  const out: TreeFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push({ path: prefix + relative(dir, p), content: readFileSync(p) });
    }
  };
  walk(dir);
  return out;
}

/** The example repository alone, and with each corpus file added, so corpus policies meet real endpoints. */
function seeds(): TreeFile[][] {
  const base = yamlFiles(join(ROOT, 'examples/repo'));
  if (!existsSync(CORPUS)) return [base];
  return [base, ...yamlFiles(CORPUS, 'corpus/').map((f) => [...base, f])];
}

/** validate → compile every node → plan from an empty node; what happened, never thrown. */
function runOne(files: TreeFile[]): { outcome: Outcome; error?: string } {
  try {
    const { model } = validateTree({ revision: null, ref: 'mutant', files });
    if (!model) return { outcome: 'rejected' };
    for (const n of model.nodes) plan(compile(model, n.name), emptyObserved(n.name));
    return { outcome: 'accepted' };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^E_[A-Z_]+$/.test(code)) return { outcome: 'stopped', error: code };
    const e = err as Error;
    return { outcome: 'crash', error: `${e.name}: ${e.message}`.slice(0, 300) };
  }
}

function work(from: number, to: number, seed: number): void {
  const all = seeds();
  for (let i = from; i < to; i++) {
    const r = mulberry32(seed * 1_000_003 + i);
    const { files, what } = mutateTree(all[i % all.length]!, r);
    const t = performance.now();
    const res = runOne(files);
    const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
    parentPort!.postMessage({ i, ...res, ms: performance.now() - t, heapMb, what } satisfies Result);
  }
}

async function main(): Promise<void> {
  const arg = (name: string, dflt: number) => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? Number(process.argv[at + 1]) : dflt;
  };
  const count = arg('count', 10_000);
  const seed = arg('seed', 1);
  const counts: Record<Outcome | 'hang' | 'memory', number> = {
    accepted: 0,
    rejected: 0,
    stopped: 0,
    crash: 0,
    hang: 0,
    memory: 0,
  };
  const samples: string[] = [];
  const codes = new Map<string, number>();
  let maxMs = 0;
  let maxHeap = 0;
  let next = 0;
  const t0 = performance.now();
  while (next < count) {
    // One worker at a time; a hang or a heap past the cap ends it and the campaign resumes after that mutation.
    next = await new Promise<number>((resolve) => {
      let last = next - 1;
      // A worker does not inherit tsx's loader: it registers it, then loads this file.
      const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
      const worker = new Worker(boot, {
        eval: true,
        workerData: { from: next, to: count, seed },
        resourceLimits: { maxOldGenerationSizeMb: HEAP_CAP_MB },
      });
      let timer = setTimeout(() => hang(), HANG_MS);
      const hang = () => {
        counts.hang++;
        samples.push(`#${last + 1}: no answer within ${HANG_MS} ms`);
        void worker.terminate();
      };
      worker.on('message', (m: Result) => {
        clearTimeout(timer);
        timer = setTimeout(() => hang(), HANG_MS);
        last = m.i;
        counts[m.outcome]++;
        maxMs = Math.max(maxMs, m.ms);
        maxHeap = Math.max(maxHeap, m.heapMb);
        if (m.outcome === 'stopped') codes.set(m.error!, (codes.get(m.error!) ?? 0) + 1);
        if (m.outcome === 'crash' && samples.length < 20) samples.push(`#${m.i} ${m.what}: ${m.error}`);
      });
      worker.on('error', (err) => {
        if (/ERR_WORKER_OUT_OF_MEMORY/.test(String((err as { code?: string }).code))) counts.memory++;
        else if (last < next) throw err;
        else {
          counts.crash++;
          const frames = (err.stack ?? '').split('\n').slice(1, 8).join(' | ');
          samples.push(`#${last + 1}: worker error ${String(err)} at ${frames}`);
        }
      });
      worker.on('exit', () => {
        clearTimeout(timer);
        resolve(last + 2 > next ? last + 2 : next + 1);
      });
    });
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`mutations: ${count} (seed ${seed}) in ${s.toFixed(0)} s`);
  console.log(JSON.stringify(counts));
  console.log(`stopped by code: ${JSON.stringify(Object.fromEntries(codes))}`);
  console.log(`slowest mutation: ${maxMs.toFixed(0)} ms; largest heap after one: ${maxHeap.toFixed(0)} MiB`);
  for (const line of samples) console.log(line);
  process.exitCode = counts.crash + counts.hang + counts.memory === 0 ? 0 : 1;
}

if (isMainThread) await main();
else {
  const { from, to, seed } = workerData as { from: number; to: number; seed: number };
  work(from, to, seed);
}
