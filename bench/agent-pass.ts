// A no-op agent pass (commit and generation unchanged, node converged) on the
// example repository's node-1, as the agent runs it: the compiled commit is
// kept, so a pass is open node → observe → plan. Compares opening the node
// (loading the BPF object through the verifier) on every pass with keeping it
// loaded across passes. The node is a fresh namespace with its own bpffs root;
// the example's node-1 is renamed so that nothing is shared with other runs.
// Then where a kept node's observe spends its time: the one scan of the net
// kinds (the node's namespace by iproute2, the endpoints' namespaces over
// netlink from this process), and each other kind's driver on its own (medians):
// decoding every entry, and (the BPF map kinds) read against the desired
// state, comparing raw bytes, as the pass reads them.
// With `100k`, the node is bench/apply.ts's ~100k-entry configuration
// (scale-repo.ts: 50 endpoints, 65,000 policy and 35,052 ipcache entries).
// Run: npx tsx bench/agent-pass.ts [passes=15] [example|100k]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NodeDatapath } from '../src/datapath/index.js';
import { endpointNetnsPrefix } from '../src/desired/names/index.js';
import { observeNet, type ObservedNet } from '../src/datapath/net/index.js';
import { vethPeerNetns } from '../src/datapath/net/endpoint-ops.js';
import { scanNamed, scanNode, type NodeScan } from '../src/datapath/net/internal/node-scan.js';
import { NetdevOps } from '../src/datapath/netdev-ops.js';
import { DRIVEN_KINDS } from '../src/desired/kinds/index.js';
import { compileRevision, reconcileNode } from '../src/reconciler/reconcile-node.js';
import { plan } from '../src/reconciler/plan.js';
import type { Entry, ObservedState } from '../src/desired/desired-state.js';
import { SCALE_100K, writeScaleRepo } from './scale-repo.js';

const PASSES = Number(process.argv[2] ?? 15);
const SCALE = process.argv[3] === '100k';
const name = `gwpass${process.pid.toString(36)}`;
const nodeNs = `${name}-ns`;
const bpffsRoot = `/sys/fs/bpf/${name}`;
const repo = mkdtempSync(join(os.tmpdir(), `${name}-`));
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });

function renameNode(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) renameNode(p);
    else if (/\.ya?ml$/.test(entry)) writeFileSync(p, readFileSync(p, 'utf8').replaceAll('node-1', name));
  }
}

/** CPU ms of this process and of the iproute2 children it waited for (/proc/self/stat, 100 ticks/s). */
function cpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return [11, 12, 13, 14].reduce((n, i) => n + Number(f[i]), 0) * 10;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (SCALE) writeScaleRepo(repo, name, SCALE_100K);
  else {
    cpSync(new URL('../examples/repo', import.meta.url).pathname, repo, { recursive: true });
    renameNode(repo);
  }
  ip('netns', 'add', nodeNs);
  ip('-n', nodeNs, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer');
  ip('-n', nodeNs, 'addr', 'add', '192.168.50.11/24', 'dev', 'eth0');
  ip('-n', nodeNs, 'link', 'set', 'eth0', 'up');
  const nodeOpts = { node: name, nodeNs, bpffsRoot };
  const compiled = await compileRevision(repo, undefined, name);
  const first = await reconcileNode({ repo, ...nodeOpts, compiled });
  if (first.remaining?.changes.length) throw new Error('the example did not converge');

  const cpu: Record<string, number[]> = { reopened: [], reused: [] };
  const timed = async (label: string, datapath?: NodeDatapath) => {
    const ms: number[] = [];
    for (let i = 0; i < PASSES; i++) {
      const [t0, c0] = [performance.now(), cpuMs()];
      const r = await reconcileNode({ repo, ...nodeOpts, compiled, ...(datapath ? { datapath } : {}) });
      ms.push(performance.now() - t0);
      cpu[label]!.push(cpuMs() - c0);
      if (r.writes !== 0 || r.changes.changes.length !== 0) throw new Error('a no-op pass wrote or planned');
    }
    return ms;
  };
  const reopened = await timed('reopened');
  const kept = NodeDatapath.open(nodeOpts);
  const reused = await timed('reused', kept);
  const steps = new Map<string, number[]>();
  const step = async (label: string, read: () => Promise<unknown>) => {
    const t0 = performance.now();
    await read();
    steps.set(label, [...(steps.get(label) ?? []), performance.now() - t0]);
  };
  const netKinds = new Set(['endpoint', 'link', 'route', 'tunnel']);
  const netdev = kept.drivers.netdev;
  for (let i = 0; i < PASSES; i++) {
    let scan: ObservedNet | undefined;
    await step(
      'net scan (endpoint, link, route, tunnel)',
      async () => (scan = await observeNet({ nodeNs, owner: name })),
    );
    let nodeScan: NodeScan | undefined;
    await step(
      'of which the node namespace (netlink, in process)',
      async () => (nodeScan = await scanNode({ nodeNs, owner: name })),
    );
    await step('of which the endpoint namespaces (netlink, in process)', async () =>
      scanNamed(vethPeerNetns(nodeScan!, { nodeNs, owner: name })),
    );
    for (const kind of DRIVEN_KINDS) {
      const driver: { observe(): Promise<unknown> } = kept.drivers[kind];
      if (netdev instanceof NetdevOps && kind === 'netdev') {
        await step('netdev (addresses from the net scan)', () => netdev.observe(scan?.deviceAddresses));
      } else if (!netKinds.has(kind)) await step(`${kind}, every entry decoded`, () => driver.observe());
      const raw = kept.drivers[kind] as { observeAgainst?(d: readonly Entry<unknown>[]): Promise<unknown> };
      const desired = compiled.desired.resources[kind];
      if (raw.observeAgainst)
        await step(`${kind}, against the desired entries' bytes`, () => raw.observeAgainst!(desired));
    }
  }
  for (let i = 0; i < PASSES; i++) {
    let observed: ObservedState | undefined;
    await step('whole observe, every entry decoded', async () => (observed = await kept.observe()));
    await step('plan (desired against the decoded observe)', async () =>
      plan(compiled.desired, observed!, { from: 'live', kinds: DRIVEN_KINDS }),
    );
    const against = compiled.desired;
    await step(
      'whole observe against the desired state, as the pass runs it',
      async () => (observed = await kept.observe({ against })),
    );
    await step('plan (desired against that observe), as the pass runs it', async () =>
      plan(compiled.desired, observed!, { from: 'live', kinds: DRIVEN_KINDS }),
    );
  }
  kept.close();
  const entries = Object.values(compiled.desired.resources).reduce((n, l) => n + l.length, 0);
  console.log(
    `${SCALE ? 'scale-repo.ts 100k' : 'example node-1'}: ${entries} desired entries, ${PASSES} no-op passes each, 0 writes`,
  );
  console.log(
    '| no-op pass | median wall | fastest wall | median CPU (with iproute2 children) |\n|---|---:|---:|---:|',
  );
  console.log(
    `| node opened every pass | ${median(reopened).toFixed(0)} ms | ${Math.min(...reopened).toFixed(0)} ms | ${median(cpu['reopened']!)} ms |`,
  );
  console.log(
    `| node kept across passes | ${median(reused).toFixed(0)} ms | ${Math.min(...reused).toFixed(0)} ms | ${median(cpu['reused']!)} ms |`,
  );
  for (const [label, ms] of steps) console.log(`| observe: ${label} | ${median(ms).toFixed(1)} ms |`);
}

try {
  await main();
} finally {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of namespaces.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    if (ns === nodeNs || ns.startsWith(endpointNetnsPrefix(name))) ip('netns', 'del', ns);
  }
  rmSync(bpffsRoot, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
}
