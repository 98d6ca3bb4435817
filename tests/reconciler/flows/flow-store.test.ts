import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatapathEvent } from '../../../src/datapath/maps/index.js';
import type { MonitoredEvent } from '../../../src/reconciler/agent/index.js';
import { FlowStore } from '../../../src/reconciler/flows/index.js';
import { makeTempDir, removeDir } from '../../support/git-fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
const dbPath = () => {
  const dir = makeTempDir('gitwire-flows-');
  dirs.push(dir);
  return join(dir, 'flows.sqlite');
};

const event = (over: Partial<DatapathEvent>, atMs: number): MonitoredEvent => ({
  event: {
    timestampNs: 1n,
    type: 'verdict',
    reason: 'allowed',
    direction: 'ingress',
    endpointId: 7,
    ifindex: 3,
    srcIdentity: 1001,
    dstIdentity: 1002,
    saddr: '10.0.1.20',
    daddr: '10.0.1.10',
    sport: 40000,
    dport: 80,
    protocol: 6,
    verdict: 'allow',
    ruleId: 1,
    length: 60,
    ...over,
  },
  rule: null,
  time: new Date(atMs),
});

describe('flow records', () => {
  it('aggregate events per identities, port, protocol and verdict with counts and first/last seen', async () => {
    const store = await FlowStore.open({ path: dbPath() });
    await store.record(event({ sport: 1 }, 1000));
    await store.record(event({ sport: 2 }, 3000));
    await store.record(event({ sport: 3 }, 2000));
    await store.record(event({ type: 'drop', reason: 'denied-policy', verdict: 'deny' }, 2500));
    await store.record(event({ dport: 443 }, 1500));
    await store.flush();
    expect(store.flows()).toEqual([
      {
        srcIdentity: 1001,
        dstIdentity: 1002,
        port: 80,
        protocol: 6,
        verdict: 'allow',
        count: 3,
        firstSeen: new Date(1000),
        lastSeen: new Date(3000),
      },
      {
        srcIdentity: 1001,
        dstIdentity: 1002,
        port: 80,
        protocol: 6,
        verdict: 'deny',
        count: 1,
        firstSeen: new Date(2500),
        lastSeen: new Date(2500),
      },
      {
        srcIdentity: 1001,
        dstIdentity: 1002,
        port: 443,
        protocol: 6,
        verdict: 'allow',
        count: 1,
        firstSeen: new Date(1500),
        lastSeen: new Date(1500),
      },
    ]);
    await store.close();
  });

  it('survive a restart of the agent: reopened from the file, counts keep adding up', async () => {
    const path = dbPath();
    const first = await FlowStore.open({ path });
    await first.record(event({}, 1000));
    await first.record(event({}, 2000));
    first.setLostEvents(5);
    await first.close();
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');

    const second = await FlowStore.open({ path });
    expect(second.flows()).toMatchObject([{ count: 2, firstSeen: new Date(1000), lastSeen: new Date(2000) }]);
    expect(second.lostEvents()).toBe(5);
    await second.record(event({}, 4000));
    await second.close();

    const third = await FlowStore.open({ path });
    expect(third.flows()).toMatchObject([{ count: 3, firstSeen: new Date(1000), lastSeen: new Date(4000) }]);
    await third.close();
  });

  it('stay bounded on disk: the flows seen least recently are evicted', async () => {
    const path = dbPath();
    const store = await FlowStore.open({ path, maxRecords: 3 });
    for (let port = 1; port <= 5; port++) await store.record(event({ dport: port }, port * 1000));
    await store.close();
    const reopened = await FlowStore.open({ path, maxRecords: 3 });
    expect(reopened.flows().map((f) => f.port)).toEqual([5, 4, 3]);
    await reopened.close();
  });

  it('stay bounded in memory: a new flow beyond the pending bound flushes to disk first', async () => {
    const path = dbPath();
    const store = await FlowStore.open({ path, maxPending: 2 });
    await store.record(event({ dport: 1 }, 1000));
    await store.record(event({ dport: 2 }, 2000));
    expect(store.flows()).toEqual([]);
    await store.record(event({ dport: 3 }, 3000));
    expect(store.flows().map((f) => f.port)).toEqual([2, 1]);
    const other = await FlowStore.open({ path });
    expect(other.flows()).toHaveLength(2);
    await store.close();
    await other.close();
  });
});
