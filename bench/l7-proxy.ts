// What the L7 proxy costs: latency it adds to keep-alive requests (p50/p99)
// against a direct connection, and requests per second per core, with HAProxy
// (Debian's, if installed) enforcing the same rule as a reference.
// Run: npx tsx bench/l7-proxy.ts [requests-per-round=2000] [rounds=3] [load-seconds=5]
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client, Pool } from 'undici';
import { buildClusterProgram } from '../src/desired/compile/cluster-program.js';
import { compileNodeL7 } from '../src/desired/compile/l7/index.js';
import { HttpProxy } from '../src/datapath/proxy/index.js';
import { load } from '../tests/desired/load/tree-of.js';
import { twoNodeCluster } from '../tests/support/model-builder.js';

const [N, ROUNDS, LOAD_SECONDS] = [2000, 3, 5].map((d, i) => Number(process.argv[2 + i] ?? d)) as [
  number,
  number,
  number,
];
const CONNECTIONS = 16;
const BODY = 'Ship landed';

// Children: the deathstar and the proxy each run in their own process, so each has a core of its own to lose.
// A child told to stop exits normally, so that --cpu-prof can write its profile.
if (process.argv[2] !== undefined && process.send) process.on('SIGTERM', () => process.exit(0));
if (process.argv[2] === 'upstream') runUpstream();
else if (process.argv[2] === 'proxy') void runProxy(Number(process.argv[3]));
else void main();

function runUpstream(): void {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
      res.end(BODY);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
}

/** The seed's Star Wars policy, compiled for the deathstar and pointed at the bench's deathstar. */
async function runProxy(upstreamPort: number): Promise<void> {
  const seed = readFileSync(new URL('../tests/fixtures/seed/l7-http-policy.yaml', import.meta.url), 'utf8');
  const b = twoNodeCluster()
    .endpoint('deathstar', 'n1', { labels: { org: 'empire', class: 'deathstar' } })
    .endpoint('tiefighter', 'n2', { labels: { org: 'empire', class: 'tiefighter' } });
  const program = buildClusterProgram({ ...b.build(), policies: load({ 'l7.yaml': seed }).model!.policies });
  const tie = program.view.endpoints.find((e) => e.key === 'default/tiefighter')!.identity;
  const sets = compileNodeL7(program, 'n1').sets.map((s) => ({ ...s, address: '127.0.0.1', port: upstreamPort }));
  const proxy = new HttpProxy({
    direction: 'ingress',
    rules: sets,
    resolver: { resolve: () => ({ identity: tie, originalDst: { address: '127.0.0.1', port: upstreamPort } }) },
  });
  const { port } = await proxy.listen(0, '127.0.0.1');
  process.send!(port);
}

function startChild(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), args, { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (port) => resolve({ child, port: port as number }));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

interface HaProxy {
  readonly child: ChildProcess;
  readonly port: number;
  readonly dir: string;
}

/** HAProxy on one thread, denying what the seed policy denies, or null when it is not installed. */
async function startHaProxy(upstreamPort: number, port: number): Promise<HaProxy | null> {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gitwire-l7-bench-'));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    [
      'global',
      '  nbthread 1',
      '  maxconn 1000',
      'defaults',
      '  mode http',
      '  option http-keep-alive',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend deathstar',
      `  bind 127.0.0.1:${port}`,
      '  http-request deny deny_status 403 unless METH_POST { path_reg ^/v1/request-landing$ }',
      '  default_backend deathstar',
      'backend deathstar',
      '  http-reuse always',
      `  server d1 127.0.0.1:${upstreamPort}`,
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-f', cfg, '-db'], { stdio: 'inherit' });
  for (let i = 0; i < 50; i++) {
    try {
      const c = new Client(`http://127.0.0.1:${port}`);
      await (await c.request({ method: 'POST', path: '/v1/request-landing' })).body.text();
      await c.close();
      return { child, port, dir };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error('haproxy did not come up');
}

async function latencies(port: number, n: number): Promise<number[]> {
  const c = new Client(`http://127.0.0.1:${port}`, { keepAliveTimeout: 60_000 });
  const out: number[] = [];
  try {
    for (let i = 0; i < n + 200; i++) {
      const t0 = performance.now();
      const res = await c.request({ method: 'POST', path: '/v1/request-landing' });
      const text = await res.body.text();
      if (res.statusCode !== 200 || text !== BODY) throw new Error(`answered ${res.statusCode} ${text}`);
      if (i >= 200) out.push((performance.now() - t0) * 1000);
    }
  } finally {
    await c.close();
  }
  return out;
}

/** CPU seconds a process has used so far (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

async function load_(port: number, seconds: number, pid: number): Promise<{ rps: number; perCore: number }> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, keepAliveTimeout: 60_000 });
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const res = await pool.request({ method: 'POST', path: '/v1/request-landing' });
        await res.body.text();
        count++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  await pool.close();
  return { rps: count / elapsed, perCore: count / cpu };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  const upstream = await startChild(['upstream']);
  const proxy = await startChild(['proxy', String(upstream.port)]);
  const haPort = proxy.port + 1;
  const ha = await startHaProxy(upstream.port, haPort).catch((e: Error) => {
    console.log(`haproxy reference skipped: ${e.message}`);
    return null;
  });
  try {
    const targets: [string, number, number][] = [
      ['direct', upstream.port, upstream.child.pid!],
      ['gitwire proxy', proxy.port, proxy.child.pid!],
      ...(ha ? [['haproxy', ha.port, ha.child.pid!] as [string, number, number]] : []),
    ];
    const lat = new Map<string, number[]>(targets.map(([name]) => [name, []]));
    for (let r = 0; r < ROUNDS; r++)
      for (const [name, port] of targets) lat.get(name)!.push(...(await latencies(port, N)));
    console.log(`keep-alive latency, ${ROUNDS} interleaved rounds of ${N} sequential POSTs (µs):`);
    console.log('| path | p50 | p99 | added p50 | added p99 |\n|---|---|---|---|---|');
    const d = lat.get('direct')!;
    for (const [name] of targets) {
      const x = lat.get(name)!;
      const added =
        name === 'direct' ? ['', ''] : [pct(x, 50) - pct(d, 50), pct(x, 99) - pct(d, 99)].map((v) => v.toFixed(0));
      console.log(`| ${name} | ${pct(x, 50).toFixed(0)} | ${pct(x, 99).toFixed(0)} | ${added[0]} | ${added[1]} |`);
    }
    console.log(`\nthroughput, ${CONNECTIONS} keep-alive connections for ${LOAD_SECONDS} s each:`);
    console.log('| path | requests/s | requests per CPU-second of the serving process |\n|---|---|---|');
    for (const [name, port, pid] of targets) {
      const t = await load_(port, LOAD_SECONDS, pid);
      const who = name === 'direct' ? 'deathstar' : name;
      console.log(`| ${name} | ${t.rps.toFixed(0)} | ${t.perCore.toFixed(0)} (${who}) |`);
    }
  } finally {
    upstream.child.kill();
    proxy.child.kill();
    if (ha) {
      ha.child.kill();
      rmSync(ha.dir, { recursive: true, force: true });
    }
  }
}
