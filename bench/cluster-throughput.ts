// Cross-node TCP between two pods of a local cluster — tiefighter on node-1 to
// deathstar-2 on node-2, port 80 as the policy allows — over VXLAN, over
// native routing, and over a plain veth pair between two namespaces with no
// BPF, side by side in one run: iperf3 throughput and request/response RTT.
// Needs root. Usage: npx tsx bench/cluster-throughput.ts [seconds=5]
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster, starWars } from '../src/reconciler/cluster/local/index.js';

const seconds = Number(process.argv[2] ?? 5);
const example = new URL('../examples/repo', import.meta.url).pathname;

/** Bits per second of one iperf3 TCP stream from `client` to address:port (server in `server`). */
function iperf(serverNs: string, clientNs: string, address: string, port: number): number {
  const server = spawn('ip', ['netns', 'exec', serverNs, 'iperf3', '-s', '-1', '-p', String(port)], {
    stdio: 'ignore',
  });
  try {
    execFileSync('sleep', ['0.5']);
    const out = execFileSync(
      'ip',
      ['netns', 'exec', clientNs, 'iperf3', '-c', address, '-p', String(port), '-t', String(seconds), '-J'],
      {
        encoding: 'utf8',
      },
    );
    return (JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second;
  } finally {
    server.kill('SIGKILL');
  }
}

/** p50/p99 µs of 2,000 one-byte request/response round trips over one TCP connection. */
function rtt(serverNs: string, clientNs: string, address: string, port: number): [number, number] {
  const echo = `require('net').createServer(s=>s.pipe(s)).listen(${port},'0.0.0.0',()=>console.log('ready'))`;
  const server = spawn('ip', ['netns', 'exec', serverNs, process.execPath, '-e', echo], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    execFileSync('sleep', ['0.5']);
    const client = `const s=require('net').connect(${port},'${address}');s.setNoDelay(true);const t=[];let n=0,t0;
s.on('connect',()=>{t0=process.hrtime.bigint();s.write('x')});
s.on('data',()=>{const t1=process.hrtime.bigint();t.push(Number(t1-t0)/1e3);if(++n===2000){t.sort((a,b)=>a-b);console.log(JSON.stringify([t[1000],t[1980]]));process.exit()}t0=process.hrtime.bigint();s.write('x')})`;
    const out = execFileSync('ip', ['netns', 'exec', clientNs, process.execPath, '-e', client], { encoding: 'utf8' });
    return JSON.parse(out) as [number, number];
  } finally {
    server.kill('SIGKILL');
  }
}

async function clusterPath(mode: 'tunnel' | 'native'): Promise<{ bps: number; rtt: [number, number] }> {
  const repo = mkdtempSync(join(tmpdir(), 'gitwire-tput-'));
  cpSync(example, repo, { recursive: true });
  const file = join(repo, 'cluster.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/routingMode: \w+/, `routingMode: ${mode}`));
  const cluster = await LocalCluster.up({ name: `tput-${process.pid}`, repo, stateRoot: `${repo}-state` });
  try {
    await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
    const sw = (await starWars(cluster))!;
    const args = [sw.deathstar2.netns, sw.tiefighter.netns, sw.deathstar2.address, 80] as const;
    return { bps: iperf(...args), rtt: rtt(...args) };
  } finally {
    await cluster.down();
    rmSync(repo, { recursive: true, force: true });
    rmSync(`${repo}-state`, { recursive: true, force: true });
  }
}

function vethPath(): { bps: number; rtt: [number, number] } {
  const [a, b] = [`gwtp-a-${process.pid}`, `gwtp-b-${process.pid}`];
  const ip = (...args: string[]) => execFileSync('ip', args);
  ip('netns', 'add', a);
  ip('netns', 'add', b);
  try {
    ip('-n', a, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', b);
    ip('-n', a, 'addr', 'add', '10.77.0.1/24', 'dev', 'eth0');
    ip('-n', b, 'addr', 'add', '10.77.0.2/24', 'dev', 'eth0');
    for (const ns of [a, b]) ip('-n', ns, 'link', 'set', 'eth0', 'up');
    return { bps: iperf(b, a, '10.77.0.2', 80), rtt: rtt(b, a, '10.77.0.2', 80) };
  } finally {
    ip('netns', 'del', a);
    ip('netns', 'del', b);
  }
}

const rows: [string, { bps: number; rtt: [number, number] }][] = [
  ['plain veth pair, no BPF', vethPath()],
  ['VXLAN (tunnel mode)', await clusterPath('tunnel')],
  ['native routing', await clusterPath('native')],
];
console.log('| path | throughput | RTT p50 | RTT p99 |\n|---|---|---|---|');
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${(r.bps / 1e9).toFixed(2)} Gbit/s | ${r.rtt[0].toFixed(0)} µs | ${r.rtt[1].toFixed(0)} µs |`,
  );
}
