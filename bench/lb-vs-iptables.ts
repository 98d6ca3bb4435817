// gitwire's BPF load balancer side by side with kube-proxy-style iptables NAT
// rules (iptables-nft), in throwaway network namespaces:
//   1. time to install N services, and to change one service, at 1k and 10k;
//   2. per-connection latency (connect → first byte → close) through each,
//      with 10k services installed, against a direct connection to the backend.
// Usage: npx tsx bench/lb-vs-iptables.ts [connections=1000] [rounds=5]
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendValue } from '../src/desired/desired-state.js';
import { ifIndex, inNetns } from '../src/datapath/libbpf/index.js';
import type { ServiceMapValue } from '../src/datapath/maps/index.js';
import { EndpointDatapath, pinLayout } from '../src/datapath/programs/index.js';
import { createNetns, deleteNetns, execIn, makeVethPair, spawnIn } from '../tests/support/netns.js';

const connections = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 5);
const SIZES = [1_000, 10_000];
const tag = `gwlb${process.pid % 100000}`;
const NS = { node: `${tag}-n`, client: `${tag}-c`, backend: `${tag}-b` };
const HOST_IF = `${tag}c`;
const CLIENT = '10.70.0.2';
const BACKEND = '10.71.0.2';
const pinRoot = `/sys/fs/bpf/gwlbench-${process.pid}`;

const vip = (i: number) => `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const backendAddr = (i: number) => (i === 0 ? BACKEND : `10.72.${i >> 8}.${i & 255}`);

/** Service i has two backends; the measured service (in the middle of the list) has the real one twice. */
function model(count: number, measured: number, generation = 0) {
  const backends: BackendValue[] = [];
  const services: ServiceMapValue[] = [];
  for (let i = 0; i < count; i++) {
    const pair = i === measured ? [0, 0] : [1 + ((2 * i + generation) % 4000), 1 + ((2 * i + 1) % 4000)];
    services.push({
      address: vip(i),
      port: 80,
      protocol: 6,
      type: 'ClusterIP',
      backendIds: [...new Set(pair.map((b) => b + 1))],
      revNatIndex: i + 1,
      algorithm: 'random',
      affinityTimeout: 0,
      mode: 'snat',
    });
  }
  for (let b = 0; b <= 4000; b++)
    backends.push({ id: b + 1, address: backendAddr(b), port: 80, protocol: 6, state: 'active' });
  return { backends, services };
}

/** The nat table kube-proxy's iptables mode writes for these services (no masquerade, no endpoints chains beyond DNAT). */
function iptablesRules(services: readonly ServiceMapValue[], backends: readonly BackendValue[]): string {
  const byId = new Map(backends.map((b) => [b.id, b]));
  const chains: string[] = [':KUBE-SERVICES - [0:0]'];
  const rules: string[] = ['-A PREROUTING -j KUBE-SERVICES'];
  services.forEach((s, i) => {
    const svc = `KUBE-SVC-${i.toString(36).toUpperCase().padStart(8, '0')}`;
    chains.push(`:${svc} - [0:0]`);
    rules.push(`-A KUBE-SERVICES -d ${s.address}/32 -p tcp -m tcp --dport ${s.port} -j ${svc}`);
    s.backendIds.forEach((id, j) => {
      const sep = `KUBE-SEP-${i.toString(36).toUpperCase().padStart(8, '0')}-${j}`;
      const b = byId.get(id)!;
      chains.push(`:${sep} - [0:0]`);
      const left = s.backendIds.length - j;
      const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(11)}` : '';
      rules.push(`-A ${svc}${stat} -j ${sep}`);
      rules.push(`-A ${sep} -p tcp -m tcp -j DNAT --to-destination ${b.address}:${b.port}`);
    });
  });
  return ['*nat', ...chains, ...rules, 'COMMIT', ''].join('\n');
}

function restore(rules: string, noflush = false): number {
  const t = process.hrtime.bigint();
  execFileSync('ip', ['netns', 'exec', NS.node, 'iptables-restore', ...(noflush ? ['--noflush'] : [])], {
    input: rules,
  });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function timed(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** The C client (bench/c/connect-latency.c), built once per run. */
function buildClient(): string {
  const bin = path.join(os.tmpdir(), `gw-connect-latency-${process.pid}`);
  execFileSync('cc', ['-O2', '-Wall', '-o', bin, fileURLToPath(new URL('./c/connect-latency.c', import.meta.url))]);
  return bin;
}
const client = buildClient();

/** Median and 90th percentile µs of `connections` sequential connections from the client. */
function latency(address: string): { p50: number; p90: number } {
  return JSON.parse(execIn(NS.client, [client, address, '80', String(connections)])) as { p50: number; p90: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

let dp: EndpointDatapath | undefined;
const server: ChildProcess[] = [];
try {
  for (const ns of Object.values(NS)) createNetns(ns);
  makeVethPair(
    { netns: NS.node, name: HOST_IF, addresses: ['10.70.0.1/24'] },
    { netns: NS.client, name: 'eth0', addresses: [`${CLIENT}/24`] },
  );
  makeVethPair(
    { netns: NS.node, name: `${tag}b`, addresses: ['10.71.0.1/24'] },
    { netns: NS.backend, name: 'eth0', addresses: [`${BACKEND}/24`] },
  );
  execIn(NS.client, ['ip', 'route', 'add', 'default', 'via', '10.70.0.1']);
  execIn(NS.backend, ['ip', 'route', 'add', 'default', 'via', '10.71.0.1']);
  execIn(NS.node, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  server.push(spawnIn(NS.backend, [process.execPath, '-e', "require('net').createServer(s=>s.end('x')).listen(80)"]));
  await new Promise((r) => setTimeout(r, 500));

  dp = EndpointDatapath.load({ pins: pinLayout('lb', pinRoot), config: { eventBurst: 0 } });
  const install: string[] = [];
  for (const size of SIZES) {
    const measured = size >> 1;
    const { backends, services } = model(size, measured);
    const changed = model(size, measured, 1).services[measured + 1]!;
    const ipt = { full: [] as number[], one: [] as number[], oneFull: [] as number[] };
    const bpf = { full: [] as number[], one: [] as number[] };
    const rules = iptablesRules(services, backends);
    const rulesChanged = iptablesRules(
      services.map((s, i) => (i === measured + 1 ? changed : s)),
      backends,
    );
    const svcChain = `KUBE-SVC-${(measured + 1).toString(36).toUpperCase().padStart(8, '0')}`;
    // kube-proxy's minimal sync: only the changed service's chains, flushed and rewritten.
    const partial = rulesChanged
      .split('\n')
      .filter(
        (l) =>
          ['*nat', 'COMMIT', ''].includes(l) ||
          (l.includes(svcChain) && !l.startsWith('-A KUBE-SERVICES')) ||
          l.includes(`KUBE-SEP-${(measured + 1).toString(36).toUpperCase().padStart(8, '0')}-`),
      )
      .join('\n');
    for (let r = 0; r < rounds; r++) {
      execIn(NS.node, ['iptables', '-t', 'nat', '-F']);
      execIn(NS.node, ['iptables', '-t', 'nat', '-X']);
      ipt.full.push(restore(rules));
      ipt.oneFull.push(restore(rulesChanged));
      ipt.one.push(restore(partial, true));
      dp.services.erase(dp.services.read());
      dp.backends.removeMany(dp.backends.read().map((b) => b.id));
      dp.revnat.removeMany(dp.revnat.read().map((x) => x.index));
      bpf.full.push(
        timed(() => {
          dp!.backends.write(backends);
          dp!.revnat.write(services.map((s) => ({ index: s.revNatIndex, address: s.address, port: s.port })));
          dp!.services.write(services);
        }),
      );
      bpf.one.push(timed(() => dp!.services.write([changed])));
    }
    install.push(
      `| ${size.toLocaleString('en')} | install all | ${fmt(median(ipt.full))} | ${fmt(median(bpf.full))} | ${(median(ipt.full) / median(bpf.full)).toFixed(1)}× |`,
      `| ${size.toLocaleString('en')} | change one (full restore, classic kube-proxy) | ${fmt(median(ipt.oneFull))} | ${fmt(median(bpf.one))} | ${(median(ipt.oneFull) / median(bpf.one)).toFixed(0)}× |`,
      `| ${size.toLocaleString('en')} | change one (only its chains, --noflush) | ${fmt(median(ipt.one))} | ${fmt(median(bpf.one))} | ${(median(ipt.one) / median(bpf.one)).toFixed(0)}× |`,
    );
  }

  // Latency with 10k services: iptables rules (from the last size) are in place; the target is in the middle.
  const target = vip(SIZES.at(-1)! >> 1);
  const lat = { direct: [] as number[], iptables: [] as number[], bpf: [] as number[] };
  const lat90 = { direct: [] as number[], iptables: [] as number[], bpf: [] as number[] };
  const { backends, services } = model(SIZES.at(-1)!, SIZES.at(-1)! >> 1);
  const rules = iptablesRules(services, backends);
  const ifindex = inNetns(NS.node, () => ifIndex(HOST_IF));
  const flush = () => {
    execIn(NS.node, ['iptables', '-t', 'nat', '-F']);
    execIn(NS.node, ['iptables', '-t', 'nat', '-X']);
  };
  for (let r = 0; r < rounds; r++) {
    flush();
    let m = latency(BACKEND);
    lat.direct.push(m.p50);
    lat90.direct.push(m.p90);
    restore(rules);
    m = latency(target);
    lat.iptables.push(m.p50);
    lat90.iptables.push(m.p90);
    flush();
    dp.endpoints.put(CLIENT, {
      ifindex,
      identity: 900,
      id: 1,
      enforceIngress: false,
      enforceEgress: false,
      audit: false,
      mac: '02:00:00:00:00:01',
      ifName: HOST_IF,
    });
    dp.attach(HOST_IF, NS.node);
    m = latency(target);
    lat.bpf.push(m.p50);
    lat90.bpf.push(m.p90);
    dp.detach(HOST_IF);
  }

  console.log(
    `Install and change (ms), median of ${rounds}; iptables-nft via iptables-restore, BPF via gitwire's typed maps (batch ops)`,
  );
  console.log('| services | operation | iptables (ms) | BPF (ms) | iptables / BPF |');
  console.log('|---|---|---|---|---|');
  for (const l of install) console.log(l);
  console.log('');
  console.log(
    `Per-connection latency (µs, connect → first byte → close), ${connections} sequential connections, ${SIZES.at(-1)!.toLocaleString('en')} services, median of ${rounds} rounds`,
  );
  console.log('| path | p50 | p90 |');
  console.log('|---|---|---|');
  for (const k of ['direct', 'iptables', 'bpf'] as const) {
    console.log(
      `| ${k === 'direct' ? 'direct to the backend (no NAT)' : k === 'bpf' ? 'ClusterIP via gitwire BPF' : 'ClusterIP via iptables NAT'} | ${fmt(median(lat[k]))} | ${fmt(median(lat90[k]))} |`,
    );
  }
} finally {
  for (const s of server) s.kill('SIGKILL');
  dp?.close();
  for (const ns of Object.values(NS)) deleteNetns(ns);
  fs.rmSync(pinRoot, { recursive: true, force: true });
  fs.rmSync(client, { force: true });
}
