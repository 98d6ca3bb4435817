// Events through the agent (issue 14): how many datapath events per second the
// agent's reader (Monitor on the ring buffer, as FlowRecorder opens it) names,
// counts in its metrics, hands to its observers and records as flows without
// loss; the CPU of the agent's JS thread at each rate; and what the lost-event
// counter says under overload. Real events: BPF_PROG_TEST_RUN of the endpoint
// program on a default-denied TCP SYN, in batches every 10 ms, from koffi's
// worker thread; the agent's work is the main thread's CPU time.
// Usage: npx tsx bench/agent-events.ts [seconds per rate=5] [rates=10000,25000,50000,100000,200000,400000]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointDatapath, pinLayout } from '../src/datapath/programs/index.js';
import { AgentMetrics, eventJson, ObserveHub } from '../src/reconciler/agent/index.js';
import { FlowRecorder, FlowStore } from '../src/reconciler/flows/index.js';
import { compileRevision } from '../src/reconciler/reconcile-node.js';
import { EXAMPLE_REPO } from '../tests/support/cli.js';
import { ipv4Packet } from '../tests/support/packets.js';

const seconds = Number(process.argv[2] ?? 5);
const rates = (process.argv[3] ?? '10000,25000,50000,100000,200000,400000').split(',').map(Number);
const node = `gwbench-ev-${process.pid}`;
const bpffsRoot = `/sys/fs/bpf/gwbench-ev-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'gitwire-bench-events-'));
const TICK_MS = 10;
const TC_ACT_SHOT = 2;
// Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux).
const USER_HZ = 100;

/** CPU seconds of this process's main thread (the JS thread that reads the ring buffer). */
function mainThreadCpu(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The generator: the node's pinned maps, with the datapath's event rate limit lifted (it caps events at
// 1,000/s per CPU by default, far below what is measured here).
const generator = EndpointDatapath.load({
  pins: pinLayout(node, bpffsRoot),
  config: { eventRate: 100_000_000, eventBurst: 100_000_000 },
});
const EP = '10.99.0.2';
generator.endpoints.put(EP, {
  ifindex: 0,
  identity: 900,
  id: 1,
  enforceIngress: true,
  enforceEgress: true,
  audit: false,
  mac: '02:00:00:00:00:01',
  ifName: 'bench0',
});
generator.ipcache.write([{ prefix: '10.99.1.0/24', identity: 5000, tunnelEndpoint: null }]);
const prog = generator.program('gw_to_endpoint');
const syn = ipv4Packet({ saddr: '10.99.1.9', daddr: EP, protocol: 'tcp', dport: 81 });
const counter = (reason: 'event-lost' | 'event-suppressed') => Number(generator.counters.read()[reason].packets);

// The agent's side, as `gitwire agent --observe-addr` wires it: the recorder opens the Monitor with the
// enforced revision's rules (the example repository's node-1), counts each event in the metrics and
// hands it to the observe hub; one observer serializes each event as the observe server would.
const desired = (await compileRevision(EXAMPLE_REPO, undefined, 'node-1')).desired;
const metrics = new AgentMetrics(node);
const hub = new ObserveHub();
let received = 0;
let bytes = 0;
hub.subscribe((m) => {
  received += 1;
  bytes += eventJson(m).length;
});
const store = await FlowStore.open({ path: join(dir, 'flows.sqlite') });
const recorder = new FlowRecorder({
  store,
  desired: () => desired,
  lostEvents: () => counter('event-lost'),
  onEvent: (m) => {
    metrics.countEvent(m);
    hub.publish(m);
  },
  intervalMs: 5000,
  node: { node, nodeNs: null, bpffsRoot },
});

interface Row {
  target: number;
  generated: number;
  rate: number;
  received: number;
  lost: number;
  suppressed: number;
  cpu: number;
}

async function run(target: number): Promise<Row> {
  const perTick = Math.max(1, Math.round((target * TICK_MS) / 1000));
  const lost0 = counter('event-lost');
  const suppressed0 = counter('event-suppressed');
  const received0 = received;
  let generated = 0;
  const cpu0 = mainThreadCpu();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  for (let next = t0; performance.now() < end; next += TICK_MS) {
    const r = await prog.testRunAsync({ data: syn, repeat: perTick });
    if (r.retval !== TC_ACT_SHOT) throw new Error(`the program returned ${r.retval}, expected a drop`);
    generated += perTick;
    const wait = next + TICK_MS - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = (mainThreadCpu() - cpu0) / elapsed;
  await sleep(500); // the reader's last drains
  return {
    target,
    generated,
    rate: generated / elapsed,
    received: received - received0,
    lost: counter('event-lost') - lost0,
    suppressed: counter('event-suppressed') - suppressed0,
    cpu,
  };
}

try {
  recorder.start();
  await recorder.tick();
  await run(5000); // warm-up: JIT, the first flows
  const rows: Row[] = [];
  for (const r of rates) rows.push(await run(r));
  await recorder.tick();
  const flowCount = store.flows().length;
  await recorder.stop();
  const k = (n: number) => Math.round(n).toLocaleString('en');
  console.log(
    `agent reader + flow recorder + metrics + one observer; ${seconds} s per rate; ${flowCount} flow(s) recorded`,
  );
  console.log(
    '| target events/s | generated events/s | received | lost (event-lost counter) | received + lost = generated | agent JS thread CPU | CPU per event |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${k(r.target)} | ${k(r.rate)} | ${k(r.received)} | ${k(r.lost)} | ${r.received + r.lost === r.generated && r.suppressed === 0 ? 'yes' : `NO (${k(r.generated)} generated, ${k(r.suppressed)} suppressed)`} | ${(r.cpu * 100).toFixed(0)}% | ${((r.cpu * seconds * 1e6) / Math.max(1, r.received)).toFixed(1)} µs |`,
    );
  console.log(`observer: ${k(bytes)} bytes of JSON serialized`);
} finally {
  generator.close();
  rmSync(bpffsRoot, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
