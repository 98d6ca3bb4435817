// What the agent's flow records cost: events aggregated per second by
// FlowStore.record (with the writes a flood of new flows forces), and the time
// of one flush (upsert, eviction, file write) at the on-disk bound.
//   npx tsx bench/flow-store.ts [events] [source identities, comma-separated]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { MonitoredEvent } from '../src/reconciler/agent/index.js';
import { FlowStore } from '../src/reconciler/flows/index.js';

const events = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'gitwire-bench-flows-'));

const event = (i: number, flows: number): MonitoredEvent => ({
  event: {
    timestampNs: 1n,
    type: i % 7 === 0 ? 'drop' : 'verdict',
    reason: i % 7 === 0 ? 'denied-policy' : 'allowed',
    direction: 'ingress',
    endpointId: 7,
    ifindex: 3,
    srcIdentity: 1000 + (i % flows),
    dstIdentity: 2000,
    saddr: '10.0.1.20',
    daddr: '10.0.1.10',
    sport: 40000,
    dport: 80,
    protocol: 6,
    verdict: 'allow',
    ruleId: 1,
    length: 60,
  },
  rule: null,
  time: new Date(i),
});

async function run(flows: number): Promise<void> {
  const path = join(dir, `flows-${flows}.sqlite`);
  const store = await FlowStore.open({ path, maxRecords: 10_000 });
  const stream = Array.from({ length: Math.min(events, 100_000) }, (_, i) => event(i, flows));
  const t0 = performance.now();
  for (let i = 0; i < events; i++) await store.record(stream[i % stream.length]!);
  const recordMs = performance.now() - t0;
  const t1 = performance.now();
  await store.flush();
  const flushMs = performance.now() - t1;
  await store.close();
  console.log(
    `${flows} source identities (${2 * flows} flows, allowed and dropped): ${Math.round(events / (recordMs / 1000)).toLocaleString('en')} events/s recorded, ` +
      `final flush ${flushMs.toFixed(1)} ms`,
  );
}

try {
  for (const flows of (process.argv[3] ?? '100,400,1000,10000').split(',').map(Number)) await run(flows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
