// The resident memory of the real agent as users run it: `node bin/gitwire.js
// agent` (the bundle; run `npm run build` first) on a git repository of
// scale-repo.ts's ~100k-entry node, in a fresh network namespace with its own
// bpffs root and state directory. It converges, then runs no-op passes; after
// each pass VmRSS and VmHWM are read from /proc/<pid>/status and the JS heap
// from the agent's /metrics, then the lowest VmRSS until the next pass (the
// idle agent), the pass's wall time and the agent's CPU since the row before.
// Everything is named after this process's pid; only the agent this bench
// started is signalled.
// The agent runs with its default interval (30s) unless one is given; with
// --heapsnapshot-signal=SIG among the node flags, it writes a heap snapshot
// into the current directory after the last pass.
// Run: npx tsx bench/agent-memory.ts [noop-passes=3] [interval=30s] [node flags for the agent...]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { endpointNetnsPrefix } from '../src/desired/names/index.js';
import { removeNodeRuntimeFiles } from '../src/reconciler/node-lock.js';
import { SCALE_100K, writeScaleRepo } from './scale-repo.js';

const NOOP_PASSES = Number(process.argv[2] ?? 3);
const INTERVAL = process.argv[3] ?? '30s';
const NODE_FLAGS = process.argv.slice(4);
const name = `gwmem${process.pid.toString(36)}`;
const nodeNs = `${name}-ns`;
const bpffsRoot = `/sys/fs/bpf/${name}`;
const repo = mkdtempSync(join(os.tmpdir(), `${name}-repo-`));
const stateDir = mkdtempSync(join(os.tmpdir(), `${name}-state-`));
const bin = new URL('../bin/gitwire.js', import.meta.url).pathname;
const run = (cmd: string, ...args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM of `pid`, in KiB. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** User and system CPU of `pid` in ms (/proc/<pid>/stat, 100 ticks/s). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function metrics(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return values;
}

/** Has the agent write a heap snapshot (into this directory) and waits until the file is complete. */
async function heapSnapshot(pid: number, signal: NodeJS.Signals): Promise<void> {
  const before = new Set(readdirSync('.'));
  process.kill(pid, signal);
  for (;;) {
    await sleep(1000);
    const file = readdirSync('.').find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (file && /\]\s*\}\s*$/.test(readFileSync(file, 'latin1').slice(-64))) {
      console.log(`heap snapshot: ${file}`);
      return;
    }
  }
}

async function main(): Promise<void> {
  writeScaleRepo(repo, name, SCALE_100K);
  run('git', '-C', repo, 'init', '-q', '-b', 'main');
  run('git', '-C', repo, 'add', '.');
  run('git', '-C', repo, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'scale');
  run('ip', 'netns', 'add', nodeNs);
  run('ip', '-n', nodeNs, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer');
  run('ip', '-n', nodeNs, 'addr', 'add', '192.0.2.1/24', 'dev', 'eth0');
  run('ip', '-n', nodeNs, 'link', 'set', 'eth0', 'up');

  const args = ['agent', '--repo', repo, '--node', name, '--netns', nodeNs, '--bpffs-root', bpffsRoot];
  args.push('--state-dir', stateDir, '--interval', INTERVAL, '--metrics-addr', '127.0.0.1:0');
  const agent = spawn(process.execPath, [...NODE_FLAGS, bin, ...args], { stdio: ['ignore', 'inherit', 'pipe'] });
  const pid = agent.pid!;
  let log = '';
  // The agent logs to stderr: kept to find the metrics port and to show on failure.
  agent.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    let port = 0;
    let peak = 0;
    const started = Date.now();
    // One row per pass: memory right after it, and the lowest VmRSS until the next pass begins to show.
    const rows: { pass: string; rss: number; hwm: number; heap: string; low: number; ms: number; cpu: number }[] = [];
    let [durations, cpu] = [0, cpuMs(pid)];
    let seen = 0;
    // The row of the last pass gets its low once the pass after it has run, and is then left out.
    while (seen < NOOP_PASSES + 2) {
      if (agent.exitCode !== null) throw new Error(`the agent exited (${agent.exitCode}):\n${log}`);
      if (Date.now() - started > 900_000) throw new Error(`not done in 15 min:\n${log}`);
      await sleep(200);
      const sample = memory(pid).rss;
      peak = Math.max(peak, sample);
      const row = rows.at(-1);
      if (row) row.low = Math.min(row.low, sample);
      port ||= Number(/metrics on \S+ \(port (\d+)\)/.exec(log)?.[1] ?? 0);
      if (!port) continue;
      const m = await metrics(port).catch(() => null);
      if (!m) continue;
      const count = (result: string) => m.get(`gitwire_reconciles_total{result="${result}"}`) ?? 0;
      if (count('failed') + count('stalled') > 0) throw new Error(`a pass failed:\n${log}`);
      if (count('applied') === 0 || count('applied') + count('unchanged') <= seen) continue;
      seen = count('applied') + count('unchanged');
      const mem = memory(pid);
      const bytes = (metric: string) => mib((m.get(metric) ?? NaN) / 1024);
      rows.push({
        pass: count('unchanged') === 0 ? 'converged (first apply)' : `no-op pass ${count('unchanged')}`,
        ...mem,
        heap: ['used', 'total'].map((k) => bytes(`nodejs_heap_size_${k}_bytes`)).join(' | '),
        ms: ((m.get('gitwire_reconcile_duration_seconds_sum') ?? NaN) - durations) * 1000,
        cpu: cpuMs(pid) - cpu,
        low: mem.rss,
      });
      [durations, cpu] = [m.get('gitwire_reconcile_duration_seconds_sum') ?? NaN, cpuMs(pid)];
    }
    rows.pop();
    const snapshotSignal = NODE_FLAGS.map((f) => /^--heapsnapshot-signal=(\w+)$/.exec(f)?.[1]).find(Boolean);
    if (snapshotSignal) await heapSnapshot(pid, snapshotSignal as NodeJS.Signals);
    console.log(
      `the agent on scale-repo.ts 100k in a git repository, --interval ${INTERVAL}; node flags: ${NODE_FLAGS.join(' ') || 'none'}`,
    );
    console.log(
      '| after | VmRSS | VmHWM | JS heap used | JS heap total | lowest VmRSS until the next pass | pass wall | agent CPU since the row before |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows)
      console.log(
        `| ${r.pass} | ${mib(r.rss)} | ${mib(r.hwm)} | ${r.heap} | ${mib(r.low)} | ${r.ms.toFixed(0)} ms | ${r.cpu} ms |`,
      );
    console.log(`\nsampled peak VmRSS ${mib(peak)}; final VmHWM ${mib(memory(pid).hwm)}`);
  } finally {
    // An agent that exited on its own is not signalled: the error saying why is the one to show.
    if (agent.exitCode === null && agent.signalCode === null) {
      process.kill(pid, 'SIGTERM');
      await new Promise((r) => (agent.exitCode !== null ? r(null) : agent.once('exit', r)));
    }
  }
}

try {
  await main();
} finally {
  for (const ns of run('ip', 'netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')) {
    if (ns === nodeNs || ns.startsWith(endpointNetnsPrefix(name))) run('ip', 'netns', 'del', ns);
  }
  rmSync(bpffsRoot, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
  removeNodeRuntimeFiles(name, ['l7.sock']);
}
