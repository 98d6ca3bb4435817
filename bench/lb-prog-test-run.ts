// Per-packet cost of service translation in gw_from_endpoint through
// BPF_PROG_TEST_RUN, with 10, 1,000 and 100,000 services in the maps.
// Usage: npx tsx bench/lb-prog-test-run.ts [runs=4000] [rounds=5]
//
// A test run with repeat > 1 runs the program on one skb again and again, so
// from the second run on it would see the packet it translated itself: every
// sample here is one run (repeat 1) of a fresh packet, timed by the kernel.
import fs from 'node:fs';
import type { BackendValue } from '../src/desired/desired-state.js';
import { EndpointDatapath, pinLayout } from '../src/datapath/programs/index.js';
import type { ServiceMapValue } from '../src/datapath/maps/index.js';
import { readTuple, tcpPacket } from '../tests/support/lb-packets.js';

const runs = Number(process.argv[2] ?? 4000);
const rounds = Number(process.argv[3] ?? 5);
const SIZES = [10, 1_000, 100_000];
const CLIENT = '10.98.0.2';
const BACKENDS = 2000;
const pinRoot = `/sys/fs/bpf/gwlbench-${process.pid}`;
const TC_ACT_OK = 0;
const NOT_A_SERVICE = '10.250.0.1';

const vip = (i: number) => `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const backend = (i: number): BackendValue => ({
  id: i + 1,
  address: `10.200.${i >> 8}.${i & 255}`,
  port: 8080,
  protocol: 6,
  state: 'active',
});

function services(count: number): ServiceMapValue[] {
  return Array.from({ length: count }, (_, i) => ({
    address: vip(i),
    port: 80,
    protocol: 6,
    type: 'ClusterIP',
    backendIds: [1 + ((2 * i) % BACKENDS), 1 + ((2 * i + 1) % BACKENDS)],
    revNatIndex: 1 + (i % 65535),
    algorithm: 'random',
    affinityTimeout: 0,
    mode: 'snat',
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// One datapath per size, measured in turns, so that load from other work on
// the machine falls on every size alike.
const dps = SIZES.map((size) =>
  EndpointDatapath.load({
    pins: pinLayout(`lb${size}`, pinRoot),
    config: { eventBurst: 0 },
    maxEntries: { gw_lb_svc: 400_000 },
  }),
);

/**
 * Mean kernel-timed ns of `runs` single runs, each on its own packet. Every
 * run must pass the packet, sent to a backend (or, not for a service, left
 * alone): a run that took another path would time the wrong thing.
 */
function sample(dp: EndpointDatapath, flow: string, packet: (n: number) => Buffer): number {
  const prog = dp.program('gw_from_endpoint');
  let total = 0;
  for (let n = 0; n < runs; n++) {
    const r = prog.testRun({ data: packet(n) });
    const to = readTuple(r.dataOut);
    const translated = to.daddr.startsWith('10.200.') && to.dport === 8080;
    const expected = flow === 'not a service' ? to.daddr === NOT_A_SERVICE && to.dport === 80 : translated;
    if (r.retval !== TC_ACT_OK || !expected)
      throw new Error(`${flow}: run ${n} returned ${r.retval} with the packet sent to ${to.daddr}:${to.dport}`);
    total += r.durationNs;
  }
  return total / runs;
}

function clearConnections(dp: EndpointDatapath): void {
  dp.ct.removeMany(dp.ct.dump().map(([k]) => k));
  dp.lbCt.removeMany(dp.lbCt.dump().map(([k]) => k));
}

function flows(size: number): Record<string, (n: number) => Buffer> {
  // The measured frontends are spread over the whole table.
  const target = (n: number) => vip((n * 7919) % size);
  return {
    'new connection, 10 frontends': (n) =>
      tcpPacket({ saddr: CLIENT, daddr: target(n % 10), sport: 10000 + (n % 50000), dport: 80, flags: 0x02 }),
    'new connection, frontends all over': (n) =>
      tcpPacket({ saddr: CLIENT, daddr: target(n), sport: 10000 + (n % 50000), dport: 80, flags: 0x02 }),
    'established connection': (n) =>
      tcpPacket({ saddr: CLIENT, daddr: target(n % 10), sport: 9000, dport: 80, flags: 0x10 }),
    'not a service': (n) =>
      tcpPacket({ saddr: CLIENT, daddr: NOT_A_SERVICE, sport: 10000 + (n % 50000), dport: 80, flags: 0x02 }),
  };
}

try {
  SIZES.forEach((size, i) => {
    const dp = dps[i]!;
    dp.endpoints.put(CLIENT, {
      ifindex: 0,
      identity: 900,
      id: 1,
      enforceIngress: false,
      enforceEgress: false,
      audit: false,
      mac: '02:00:00:00:00:01',
      ifName: 'bench0',
    });
    dp.backends.write(Array.from({ length: BACKENDS }, (_, b) => backend(b)));
    const all = services(size);
    dp.services.write(all);
    dp.revnat.write(all.slice(0, 65535).map((s) => ({ index: s.revNatIndex, address: s.address, port: 80 })));
  });
  const results = new Map<string, number[]>();
  const names = Object.keys(flows(10));
  for (let r = 0; r < rounds; r++) {
    for (const flow of names) {
      SIZES.forEach((size, i) => {
        const dp = dps[i]!;
        const packet = flows(size)[flow]!;
        clearConnections(dp);
        if (flow === 'established connection') {
          for (let n = 0; n < 10; n++) dp.program('gw_from_endpoint').testRun({ data: packet(n) });
        }
        const key = `${size}|${flow}`;
        results.set(key, [...(results.get(key) ?? []), sample(dp, flow, packet)]);
      });
    }
  }
  console.log(
    `BPF_PROG_TEST_RUN, gw_from_endpoint, 62-byte TCP, ${runs} single runs per round, mean per round; median (range) of ${rounds} rounds, sizes in turns`,
  );
  console.log(`| flow | ${SIZES.map((s) => `${s.toLocaleString('en')} services`).join(' | ')} | 100k / 10 |`);
  console.log(`|---|${SIZES.map(() => '---|').join('')}---|`);
  for (const flow of names) {
    const cells = SIZES.map((size) => results.get(`${size}|${flow}`)!);
    const fmt = (ns: number[]) =>
      `${Math.round(median(ns))} (${Math.round(Math.min(...ns))}–${Math.round(Math.max(...ns))})`;
    const ratio = median(cells.at(-1)!) / median(cells[0]!);
    console.log(`| ${flow} | ${cells.map(fmt).join(' | ')} | ${ratio.toFixed(2)} |`);
  }
} finally {
  for (const dp of dps) dp.close();
  fs.rmSync(pinRoot, { recursive: true, force: true });
}
