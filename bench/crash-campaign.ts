// Crash campaign: `gitwire apply` killed with SIGKILL at random points, many
// times, while an allowed flow (client → server:80, allowed by policy) and a
// denied flow (intruder → server:80, default-denied) keep trying to connect.
// The applies switch the node between two commits that differ in endpoints
// and policies; the server, client, intruder and the server's policy are in
// both. Afterwards one clean apply must leave nothing orphaned, the denied
// flow must never have connected, and the allowed flow must connect again.
// Run: npx tsx bench/crash-campaign.ts [kills=50] [seed]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pinLayout } from '../src/datapath/programs/index.js';
import { compile, endpointNetnsPrefix } from '../src/desired/index.js';
import { loadRevision } from '../src/reconciler/load-revision.js';
import { reconcileNode } from '../src/reconciler/reconcile-node.js';
import { makeRepo } from '../tests/support/git-fixtures.js';
import { listenTcp, run, spawnIn } from '../tests/support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../tests/support/node-fixture.js';
import { mulberry32 } from '../tests/support/seeded-random.js';

const KILLS = Number(process.argv[2] ?? 50);
const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
const ROOT = new URL('..', import.meta.url).pathname;
const SERVER = '10.0.1.10';
const node = new TestNode('gwc');
/** Stops what this script started (the probers and the server), by their own handles. */
const stops: Array<() => void> = [];

const fixed = [
  endpointYaml(node, 'server', SERVER, { app: 'server' }),
  endpointYaml(node, 'client', '10.0.1.20', { app: 'client' }),
  endpointYaml(node, 'intruder', '10.0.1.30', { app: 'intruder' }),
];
const extras = (ids: readonly number[]) =>
  ids.map((i) => endpointYaml(node, `ep${i}`, `10.0.1.${100 + i}`, { role: i % 2 === 0 ? 'web' : 'db' }));
const cnp = (name: string, spec: string) =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n${spec}`;
const serverPolicy = cnp(
  'server-from-client',
  `  endpointSelector: {matchLabels: {app: server}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: client}}]
      toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`,
);
const webPolicy = cnp(
  'web-from-db',
  `  endpointSelector: {matchLabels: {role: web}}
  ingress:
    - fromEndpoints: [{matchLabels: {role: db}}]
      toPorts: [{ports: [{port: "80", protocol: TCP}, {port: "8000", endPort: 8100, protocol: TCP}]}]
`,
);
const dbPolicy = cnp(
  'db-from-web',
  `  endpointSelector: {matchLabels: {role: db}}
  ingress:
    - fromEndpoints: [{matchLabels: {role: web}}]
      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
  ingressDeny:
    - fromEntities: [world]
`,
);

interface Run {
  readonly code: number | null;
  readonly killed: boolean;
  readonly stderr: string;
  readonly ms: number;
}

/** `gitwire apply` in its own process group; with `killAfterMs`, the whole group is SIGKILLed then. */
function apply(rev: string, killAfterMs?: number): Promise<Run> {
  const args = ['--import', 'tsx', join(ROOT, 'tests/support/run-cli.ts'), 'apply', '--repo', node.configDir];
  args.push('--rev', rev, '--node', node.name, '--netns', node.netns, '--bpffs-root', node.bpffsRoot);
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let killed = false;
  const timer =
    killAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          if (child.exitCode !== null) return;
          try {
            process.kill(-child.pid!, 'SIGKILL');
            killed = true;
          } catch {
            // it exited between the check and the kill
          }
        }, killAfterMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, stderr, ms: Date.now() - started });
    });
  });
}

/** Tries a TCP connection every 100 ms from inside `netns`; counts the ones that connect. */
function prober(netns: string): { connected: () => number; tried: () => number; lastOk: () => number } {
  const script = `const net=require('net');setInterval(()=>{const s=net.connect({host:'${SERVER}',port:80});const t=setTimeout(()=>{s.destroy();console.log('fail')},400);s.on('connect',()=>{clearTimeout(t);s.destroy();console.log('ok '+Date.now())});s.on('error',()=>{clearTimeout(t);console.log('fail')})},100)`;
  const child = spawnIn(netns, [process.execPath, '-e', script]);
  stops.push(() => child.kill('SIGKILL'));
  let ok = 0;
  let tried = 0;
  let last = 0;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    for (const line of d.split('\n')) {
      if (line.startsWith('ok ')) {
        ok++;
        last = Number(line.slice(3));
      }
      if (line !== '') tried++;
    }
  });
  return { connected: () => ok, tried: () => tried, lastOk: () => last };
}

/** Netns, link pins and pending changes that differ from what the commit declares. */
async function orphans(rev: string): Promise<string[]> {
  const loaded = await loadRevision(node.configDir, { rev });
  const desired = compile(loaded.model, node.name);
  const out: string[] = [];
  const want = new Set(desired.resources.endpoint.map((e) => e.value.netns));
  for (const line of run('ip', ['netns', 'list']).split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    if (ns.startsWith(endpointNetnsPrefix(node.name)) && !want.has(ns)) out.push(`netns ${ns}`);
  }
  const pins = pinLayout(node.name, node.bpffsRoot);
  const links = new Set(desired.resources.program.map((e) => `${e.value.ifName}_${e.value.hook}`));
  for (const pin of existsSync(pins.linksDir) ? readdirSync(pins.linksDir) : []) {
    if (!links.has(pin)) out.push(`link pin ${pin}`);
  }
  const dry = await reconcileNode({
    repo: node.configDir,
    source: { rev },
    node: node.name,
    nodeNs: node.netns,
    bpffsRoot: node.bpffsRoot,
    dryRun: true,
  });
  for (const c of dry.changes.changes) out.push(`pending ${c.action} ${c.resource} ${c.key}`);
  return out;
}

try {
  const [a, b] = makeRepo(node.configDir, [
    {
      'cluster.yaml': clusterYaml(node),
      'endpoints.yaml': [...fixed, ...extras([1, 2, 3, 4, 5, 6])].join('---\n'),
      'server.yaml': serverPolicy,
      'web.yaml': webPolicy,
    },
    {
      'endpoints.yaml': [...fixed, ...extras([4, 5, 6, 7, 8, 9])].join('---\n'),
      'web.yaml': null,
      'db.yaml': dbPolicy,
    },
  ]) as [string, string];
  const first = await apply(a);
  if (first.code !== 0) throw new Error(`first apply failed: ${first.stderr}`);
  const server = await listenTcp(node.endpointNetns('server'), [80]);
  stops.push(server.stop);
  const allowed = prober(node.endpointNetns('client'));
  const denied = prober(node.endpointNetns('intruder'));

  // Calibration: the CLI's start-up, and the shorter of the two switches.
  let startup = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = Date.now();
    const r = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/support/run-cli.ts'), '--help'], {
        stdio: 'ignore',
      });
      c.once('close', () => resolve(Date.now() - t0));
    });
    startup = Math.min(startup, r);
  }
  let window = Math.min((await apply(b)).ms, (await apply(a)).ms);

  const random = mulberry32(seed);
  let kills = 0;
  let completed = 0;
  const failures: string[] = [];
  const delays: number[] = [];
  const started = Date.now();
  for (let i = 0; kills < KILLS && i < 4 * KILLS; i++) {
    const rev = i % 2 === 0 ? b : a;
    // The machine's speed drifts: kill points follow the last full apply, after most of its start-up.
    const from = Math.min(startup, 0.8 * window);
    const delay = Math.floor(from + random() * (window - from));
    const r = await apply(rev, delay);
    if (r.killed) {
      kills++;
      delays.push(delay);
    } else if (r.code === 0) {
      completed++;
      window = r.ms;
    } else failures.push(`run ${i}: exit ${r.code}: ${r.stderr.trim()}`);
  }
  const campaignS = (Date.now() - started) / 1000;

  const final = await apply(b);
  const convergedAt = Date.now();
  const left = await orphans(b);
  // The allowed flow must connect again after the final apply.
  let backMs = -1;
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (allowed.lastOk() >= convergedAt) {
      backMs = allowed.lastOk() - convergedAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  console.log(`crash campaign: seed ${seed}, start-up ${startup} ms, switch window ${window} ms`);
  console.log(`| applies | killed | completed | failed (not killed, exit ≠ 0) | campaign |`);
  console.log(`|---|---|---|---|---|`);
  console.log(
    `| ${kills + completed + failures.length} | ${kills} (at ${Math.min(...delays)}–${Math.max(...delays)} ms) | ${completed} | ${failures.length} | ${campaignS.toFixed(0)} s |`,
  );
  console.log(
    `| final apply | orphans | denied flow connected | allowed flow during campaign | allowed flow back after final apply |`,
  );
  console.log(`|---|---|---|---|---|`);
  console.log(
    `| exit ${final.code} | ${left.length} | ${denied.connected()} of ${denied.tried()} tries | ${allowed.connected()} of ${allowed.tried()} tries | ${backMs < 0 ? 'no' : `${backMs} ms`} |`,
  );
  for (const f of [...failures, ...left]) console.log(`  ${f}`);
  process.exitCode = failures.length + left.length + denied.connected() === 0 && backMs >= 0 ? 0 : 1;
} finally {
  for (const stop of stops) stop();
  node.cleanup();
}
