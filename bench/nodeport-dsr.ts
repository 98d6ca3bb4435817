// NodePort from outside to a backend on another node, SNAT against DSR, side
// by side on one local cluster: a client namespace on the underlay connects to
// node-1, whose only backend of two otherwise equal services (loadBalancerMode
// snat and dsr) lives on node-2. iperf3 with the backend sending (-R, the
// reply direction DSR changes), and new connections per second (connect, one
// byte echoed, close). Needs root. Usage: npx tsx bench/nodeport-dsr.ts [seconds=5] [connections=500]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileAll, readRepository, validateTree } from '../src/desired/index.js';
import { git } from '../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster } from '../src/reconciler/cluster/local/index.js';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 500);
const example = new URL('../examples/repo', import.meta.url).pathname;
const CLIENT = `gwdsr-${process.pid}`;
const CLIENT_ADDR = '192.168.50.210';
const PORTS = { snat: { iperf: 30101, echo: 30111 }, dsr: { iperf: 30102, echo: 30112 } };

const service = (mode: 'snat' | 'dsr') => `---
apiVersion: gitwire.io/v1alpha1
kind: Service
metadata:
  name: bench-${mode}
  namespace: bench
spec:
  type: NodePort
  loadBalancerMode: ${mode}
  ports:
    - {name: iperf, port: 5201, targetPort: iperf, nodePort: ${PORTS[mode].iperf}}
    - {name: echo, port: 7000, targetPort: echo, nodePort: ${PORTS[mode].echo}}
  selector:
    app: bench
`;

const BACKEND = `apiVersion: gitwire.io/v1alpha1
kind: Endpoint
metadata:
  name: bench-2
  namespace: bench
  labels:
    app: bench
spec:
  node: node-2
  address: 10.0.2.90
  ports:
    - {name: iperf, containerPort: 5201}
    - {name: echo, containerPort: 7000}
`;

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });

/** Bits per second the backend sent to the client through node-1's NodePort. */
function iperf(port: number, node1: string): number {
  const out = execFileSync(
    'ip',
    ['netns', 'exec', CLIENT, 'iperf3', '-c', node1, '-p', String(port), '-t', String(seconds), '-R', '-J'],
    { encoding: 'utf8' },
  );
  return (JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second;
}

/** Connections per second and p50/p99 µs of connect + one byte echoed, one connection at a time. */
function connRate(port: number, node1: string): { rate: number; p50: number; p99: number } {
  const client = `const net=require('net');const t=[];let n=0;const s0=process.hrtime.bigint();
const one=()=>{const t0=process.hrtime.bigint();const s=net.connect(${port},'${node1}');s.setNoDelay(true);
s.on('connect',()=>s.write('x'));s.on('data',()=>{t.push(Number(process.hrtime.bigint()-t0)/1e3);s.destroy();
if(++n===${connections}){const all=Number(process.hrtime.bigint()-s0)/1e9;t.sort((a,b)=>a-b);
console.log(JSON.stringify({rate:n/all,p50:t[Math.floor(n/2)],p99:t[Math.floor(n*0.99)]}));process.exit()}one()});
s.on('error',e=>{console.error(String(e));process.exit(1)})};one()`;
  return JSON.parse(
    execFileSync('ip', ['netns', 'exec', CLIENT, process.execPath, '-e', client], { encoding: 'utf8' }),
  );
}

const repo = mkdtempSync(join(tmpdir(), 'gitwire-dsr-'));
cpSync(example, repo, { recursive: true });
writeFileSync(join(repo, 'services', 'bench.yaml'), service('snat') + service('dsr'));
writeFileSync(join(repo, 'endpoints', 'bench.yaml'), BACKEND);
const cluster = await LocalCluster.up({ name: `dsr-${process.pid}`, repo, stateRoot: `${repo}-state` });
const servers: ChildProcess[] = [];
try {
  await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
  const { model } = validateTree(await readRepository(cluster.layout.workTree));
  const backend = [...compileAll(model!).values()]
    .flatMap((s) => s.resources.endpoint)
    .find((e) => e.value.name === 'bench-2')!.value;
  servers.push(spawn('ip', ['netns', 'exec', backend.netns, 'iperf3', '-s', '-p', '5201'], { stdio: 'ignore' }));
  const echo = `require('net').createServer(s=>{s.setNoDelay(true);s.pipe(s);s.on('error',()=>{})}).listen(7000)`;
  servers.push(spawn('ip', ['netns', 'exec', backend.netns, process.execPath, '-e', echo], { stdio: 'ignore' }));
  const fabric = cluster.layout.fabricNetns;
  const bridge = (JSON.parse(ip('-n', fabric, '-j', 'link', 'show', 'type', 'bridge')) as { ifname: string }[])[0]!;
  ip('netns', 'add', CLIENT);
  ip('-n', fabric, 'link', 'add', 'dsrout', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CLIENT);
  ip('-n', fabric, 'link', 'set', 'dsrout', 'master', bridge.ifname, 'up');
  ip('-n', CLIENT, 'addr', 'add', `${CLIENT_ADDR}/24`, 'dev', 'eth0');
  ip('-n', CLIENT, 'link', 'set', 'eth0', 'up');
  execFileSync('sleep', ['1']);
  const node1 = cluster.nodes[0]!.address;
  console.log('| mode | iperf3 -R (backend → client) | new connections/s | connect + echo p50 | p99 |');
  console.log('|---|---|---|---|---|');
  for (const mode of ['snat', 'dsr'] as const) {
    const bps = iperf(PORTS[mode].iperf, node1);
    const c = connRate(PORTS[mode].echo, node1);
    console.log(
      `| ${mode} | ${(bps / 1e9).toFixed(2)} Gbit/s | ${c.rate.toFixed(0)} | ${c.p50.toFixed(0)} µs | ${c.p99.toFixed(0)} µs |`,
    );
  }
} finally {
  for (const s of servers) s.kill('SIGKILL');
  try {
    ip('netns', 'del', CLIENT);
  } catch {
    // never created
  }
  await cluster.down();
  rmSync(repo, { recursive: true, force: true });
  rmSync(`${repo}-state`, { recursive: true, force: true });
}
