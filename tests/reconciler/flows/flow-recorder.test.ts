import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatapathEvent } from '../../../src/datapath/maps/index.js';
import type { DesiredState } from '../../../src/desired/index.js';
import type { MonitoredEvent } from '../../../src/reconciler/agent/index.js';
import { FlowRecorder, FlowStore, type OpenEvents } from '../../../src/reconciler/flows/index.js';
import { desiredWith } from '../../support/desired-fixture.js';
import { makeTempDir, removeDir } from '../../support/git-fixtures.js';

// The recorder between the node's event stream (here a test's, standing in for the ring buffer) and the store.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

const drop = (dport: number): MonitoredEvent => ({
  event: {
    timestampNs: 1n,
    type: 'drop',
    reason: 'denied-policy',
    direction: 'ingress',
    endpointId: 7,
    ifindex: 3,
    srcIdentity: 1001,
    dstIdentity: 1002,
    saddr: '10.0.1.30',
    daddr: '10.0.1.10',
    sport: 40000,
    dport,
    protocol: 6,
    verdict: 'deny',
    ruleId: 1,
    length: 60,
  } satisfies DatapathEvent,
  rule: null,
  time: new Date(1000 + dport),
});

/** A node's stream: what `emit` sends goes to the reader opened last, while it is open. */
function stream() {
  const opened: DesiredState[] = [];
  let deliver: ((m: MonitoredEvent) => void) | null = null;
  const open: OpenEvents = (desired, onEvent) => {
    opened.push(desired);
    deliver = onEvent;
    return { close: () => (deliver = null) };
  };
  return { open, opened, emit: (m: MonitoredEvent) => deliver?.(m) };
}

async function recorder(path: string, desired: () => DesiredState | null, s: ReturnType<typeof stream>) {
  const counted: MonitoredEvent[] = [];
  const r = new FlowRecorder({
    store: await FlowStore.open({ path }),
    desired,
    lostEvents: () => 4,
    onEvent: (m) => counted.push(m),
    intervalMs: 60_000,
    node: { node: 'n1', nodeNs: null },
    open: s.open,
  });
  return { r, counted };
}

describe('the flow recorder', () => {
  it('records nothing before the first apply, then follows the enforced revision', async () => {
    const dir = makeTempDir('gitwire-flows-');
    dirs.push(dir);
    const s = stream();
    let desired: DesiredState | null = null;
    const { r, counted } = await recorder(join(dir, 'flows.sqlite'), () => desired, s);
    await r.tick();
    expect(s.opened).toEqual([]);
    desired = desiredWith('n1', 'a', {});
    await r.tick();
    s.emit(drop(80));
    desired = desiredWith('n1', 'b', {});
    await r.tick();
    s.emit(drop(80));
    expect(s.opened).toHaveLength(2);
    expect(counted).toHaveLength(2);
    await r.stop();
    s.emit(drop(80));
    const store = await FlowStore.open({ path: join(dir, 'flows.sqlite') });
    expect(store.flows()).toMatchObject([{ port: 80, verdict: 'deny', count: 2 }]);
    expect(store.lostEvents()).toBe(4);
    await store.close();
  });

  it('keeps the records across an agent restart', async () => {
    const dir = makeTempDir('gitwire-flows-');
    dirs.push(dir);
    const path = join(dir, 'flows.sqlite');
    const desired = desiredWith('n1', 'a', {});
    const s1 = stream();
    const first = await recorder(path, () => desired, s1);
    await first.r.tick();
    s1.emit(drop(80));
    s1.emit(drop(443));
    await first.r.stop();

    const s2 = stream();
    const second = await recorder(path, () => desired, s2);
    await second.r.tick();
    s2.emit(drop(80));
    await second.r.tick();
    const store = await FlowStore.open({ path });
    expect(store.flows().map((f) => [f.port, f.count])).toEqual([
      [443, 1],
      [80, 2],
    ]);
    await second.r.stop();
    await store.close();
  });
});
