// Apply of ~100k BPF map entries to an empty node through the whole pipeline
// (YAML in a directory → load → compile → observe → plan → apply → verify),
// then the no-op re-apply of the same configuration through reconcileNode.
// The node is a fresh network namespace with its own bpffs directory.
// Configuration: scale-repo.ts (the defaults give ~100k entries).
// Run: npx tsx bench/apply.ts [endpoints=50] [ports=12] [cidrs=35000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DRIVEN_KINDS, NodeDatapath, type DrivenKind } from '../src/datapath/index.js';
import { compile, endpointNetnsPrefix } from '../src/desired/index.js';
import { apply } from '../src/reconciler/apply.js';
import { loadRevision } from '../src/reconciler/load-revision.js';
import { plan } from '../src/reconciler/plan.js';
import { reconcileNode } from '../src/reconciler/reconcile-node.js';
import { writeScaleRepo } from './scale-repo.js';

const ENDPOINTS = Number(process.argv[2] ?? 50);
const PORTS = Number(process.argv[3] ?? 12);
const CIDRS = Number(process.argv[4] ?? 35_000);

const name = `gwbench${process.pid.toString(36)}`;
const nodeNs = `${name}-node`;
const bpffsRoot = `/sys/fs/bpf/${name}`;
const repo = mkdtempSync(join(os.tmpdir(), `${name}-`));

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const writeConfig = () => writeScaleRepo(repo, name, { endpoints: ENDPOINTS, ports: PORTS, cidrs: CIDRS });

function cleanup(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    if (ns === nodeNs || ns.startsWith(endpointNetnsPrefix(name))) ip('netns', 'del', ns);
  }
  rmSync(bpffsRoot, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
}

const ms = (t0: number) => performance.now() - t0;
const rows: [string, string, string, string][] = [];
// The JS heap in use once each step is done (garbage included): where a large first apply's memory goes.
const heapMiB = () => (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
const row = (phase: string, t: number, writes = '') => rows.push([phase, t.toFixed(0), writes, heapMiB()]);

/** One reconcile pass, step by step as reconcileNode runs it, timing each step; `label` prefixes the rows. */
async function pass(label: string): Promise<void> {
  const start = performance.now();
  let t = start;
  const loaded = await loadRevision(repo);
  const desired = compile(loaded.model, name);
  row(`${label}: load + compile YAML`, ms(t));
  if (label === 'first apply') {
    const counts = Object.fromEntries(DRIVEN_KINDS.map((k) => [k, desired.resources[k].length]));
    console.log('desired entries:', counts);
  }

  t = performance.now();
  const node = NodeDatapath.open({ node: name, nodeNs, bpffsRoot });
  row(`${label}: open node (load programs, open or pin maps)`, ms(t));
  try {
    const opts = { from: 'live', to: null, kinds: DRIVEN_KINDS };
    t = performance.now();
    const observed = await node.observe({ against: desired });
    row(`${label}: observe`, ms(t));
    t = performance.now();
    const changes = plan(desired, observed, opts);
    row(`${label}: plan (${changes.changes.length} changes)`, ms(t));
    if (changes.changes.length > 0) {
      const applyStart = performance.now();
      let last = applyStart;
      const before = Object.fromEntries(DRIVEN_KINDS.map((k) => [k, node.drivers[k].writes]));
      await apply(changes, node.drivers, {
        progress: (kind: DrivenKind, action, count) => {
          const writes = node.drivers[kind].writes - before[kind]!;
          before[kind] = node.drivers[kind].writes;
          row(`${label}: · ${kind} ${action}, ${count} entries`, ms(last), String(writes));
          last = performance.now();
        },
      });
      row(`${label}: apply`, ms(applyStart), String(node.writes));
      t = performance.now();
      const remaining = plan(desired, await node.observe({ against: desired }), opts);
      row(`${label}: verify (observe + plan)`, ms(t));
      if (remaining.changes.length > 0) throw new Error(`did not converge: ${remaining.changes.length} changes remain`);
    }
    row(`${label}: total`, ms(start), String(node.writes));
  } finally {
    node.close();
  }
}

/** Where a no-op's observe goes: each BPF kind read on its own, the rest is iproute2 reading links, addresses and routes. */
async function observeByKind(): Promise<void> {
  const node = NodeDatapath.open({ node: name, nodeNs, bpffsRoot });
  try {
    for (const kind of ['policy', 'ipcache', 'lxc', 'program'] as const) {
      const t = performance.now();
      const n = (await node.drivers[kind].observe()).length;
      row(`observe ${kind} alone (${n} entries)`, ms(t));
    }
  } finally {
    node.close();
  }
}

/** What a user runs: reconcileNode, once more on the converged node. */
async function reconcileAgain(): Promise<void> {
  const t = performance.now();
  const r = await reconcileNode({ repo, node: name, nodeNs, bpffsRoot });
  row('no-op re-apply through reconcileNode', ms(t), String(r.writes));
  if (r.changes.changes.length > 0) throw new Error(`re-apply planned ${r.changes.changes.length} changes`);
}

async function main(): Promise<void> {
  ip('netns', 'add', nodeNs);
  try {
    writeConfig();
    await pass('first apply');
    await pass('no-op re-apply');
    await observeByKind();
    await reconcileAgain();
  } finally {
    cleanup();
  }
  console.log(
    `\nMachine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim()}), kernel ${os.release()}, Node ${process.version}\n`,
  );
  console.log('| step | ms | kernel writes | JS heap used after (MiB) |\n|---|---|---|---|');
  for (const [phase, t, w, heap] of rows) console.log(`| ${phase} | ${t} | ${w} | ${heap} |`);
}

await main();
