// How many flows change backend when one of N Maglev backends goes: 20,000
// flows through gw_from_endpoint (BPF_PROG_TEST_RUN) before and after, M = 16381.
// Usage: npx tsx bench/lb-maglev-disruption.ts [flows=20000]
import fs from 'node:fs';
import { maglevTable } from '../src/desired/compile/service/maglev-table.js';
import { encodeMaglevTable } from '../src/desired/compile/service/maglev-encoding.js';
import { EndpointDatapath, pinLayout } from '../src/datapath/programs/index.js';
import { readTuple, tcpPacket } from '../tests/support/lb-packets.js';

const count = Number(process.argv[2] ?? 20_000);
const SIZE = 16381;
const CLIENT = '10.66.0.2';
const VIP = '10.96.0.10';
const pinRoot = `/sys/fs/bpf/gwlbench-${process.pid}`;
const dp = EndpointDatapath.load({ pins: pinLayout('maglev', pinRoot), config: { eventBurst: 0 } });

const table = (ids: number[]) =>
  encodeMaglevTable(
    maglevTable(
      ids.map((id) => ({ id, name: `10.66.1.${id}:8080/6` })),
      SIZE,
    ),
  );

function setService(ids: number[]): void {
  dp.maglev.write([{ revNatIndex: 7, tableSize: SIZE, table: table(ids) }]);
  dp.services.write([
    {
      address: VIP,
      port: 80,
      protocol: 6,
      type: 'ClusterIP',
      backendIds: ids,
      revNatIndex: 7,
      algorithm: 'maglev',
      affinityTimeout: 0,
      mode: 'snat',
    },
  ]);
}

/** The backend each of `count` new flows is given. */
function flows(): string[] {
  dp.ct.removeMany(dp.ct.dump().map(([k]) => k));
  dp.lbCt.removeMany(dp.lbCt.dump().map(([k]) => k));
  const prog = dp.program('gw_from_endpoint');
  return Array.from(
    { length: count },
    (_, i) =>
      readTuple(
        prog.testRun({ data: tcpPacket({ saddr: CLIENT, daddr: VIP, sport: 10000 + i, dport: 80, flags: 0x02 }) })
          .dataOut,
      ).daddr,
  );
}

try {
  dp.endpoints.put(CLIENT, {
    ifindex: 0,
    identity: 1000,
    id: 9,
    enforceIngress: false,
    enforceEgress: false,
    audit: false,
    mac: '02:00:00:00:00:02',
    ifName: 'bench0',
  });
  console.log(`| backends N | 1/N | flows on the removed backend | flows that changed backend |`);
  console.log('|---|---|---|---|');
  for (const n of [5, 10, 20]) {
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    dp.backends.write(ids.map((id) => ({ id, address: `10.66.1.${id}`, port: 8080, protocol: 6, state: 'active' })));
    setService(ids);
    const before = flows();
    setService(ids.filter((id) => id !== 2));
    const after = flows();
    const pct = (x: number) => `${((100 * x) / count).toFixed(2)}%`;
    const moved = before.filter((d, i) => d !== after[i]).length;
    const removed = before.filter((d) => d === '10.66.1.2').length;
    console.log(`| ${n} | ${(100 / n).toFixed(2)}% | ${pct(removed)} | ${pct(moved)} |`);
  }
} finally {
  dp.close();
  fs.rmSync(pinRoot, { recursive: true, force: true });
}
