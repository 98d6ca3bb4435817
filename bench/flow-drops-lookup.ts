// What the per-flow health check adds to a probe (issue 15): one lookup of the
// dropped flows (drain, flush at the on-disk bound, read), taken before the
// probes and again after each probe expected allowed.
//   npx tsx bench/flow-drops-lookup.ts [records=10000] [lookups=50]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { MonitoredEvent } from '../src/reconciler/agent/index.js';
import { FlowDropRecords, FlowRecorder, FlowStore } from '../src/reconciler/flows/index.js';
import { desiredWith } from '../tests/support/desired-fixture.js';

const records = Number(process.argv[2] ?? 10_000);
const lookups = Number(process.argv[3] ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'gitwire-bench-flow-drops-'));

const event = (i: number): MonitoredEvent => ({
  event: {
    timestampNs: 1n,
    type: i % 2 === 0 ? 'drop' : 'verdict',
    reason: i % 2 === 0 ? 'denied-default' : 'allowed',
    direction: 'ingress',
    endpointId: 7,
    ifindex: 3,
    srcIdentity: 1000 + i,
    dstIdentity: 2000,
    saddr: '10.0.1.30',
    daddr: '10.0.1.10',
    sport: 40000,
    dport: 80,
    protocol: 6,
    verdict: i % 2 === 0 ? 'deny' : 'allow',
    ruleId: 0,
    length: 60,
  },
  rule: null,
  time: new Date(),
});

try {
  const store = await FlowStore.open({ path: join(dir, 'flows.sqlite'), maxRecords: records });
  let deliver: ((m: MonitoredEvent) => void) | null = null;
  const desired = desiredWith('bench', 'a', {});
  let drops: FlowDropRecords | null = null;
  const recorder = new FlowRecorder({
    store,
    desired: () => desired,
    lostEvents: () => 0,
    onEvent: (m) => drops?.observe(m),
    intervalMs: 3_600_000,
    node: { node: 'bench', nodeNs: null },
    open: (_d, onEvent) => {
      deliver = onEvent;
      return { close: () => (deliver = null) };
    },
  });
  drops = new FlowDropRecords(recorder, store);
  await drops.drops();
  for (let i = 0; i < records; i++) deliver!(event(i));
  await drops.drops();
  const ms: number[] = [];
  for (let i = 0; i < lookups; i++) {
    // A probe's few drops arrive between two lookups, as they would during one.
    deliver!(event(2 * (i % 100)));
    const t0 = performance.now();
    await drops.drops();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(1);
  console.log(`${store.flows().length} records on disk, ${lookups} lookups: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
  await recorder.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
