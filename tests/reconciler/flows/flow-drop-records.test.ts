import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatapathEvent } from '../../../src/datapath/maps/index.js';
import type { RuleRef } from '../../../src/desired/index.js';
import type { MonitoredEvent } from '../../../src/reconciler/agent/index.js';
import { FlowDropRecords, FlowRecorder, FlowStore, type OpenEvents } from '../../../src/reconciler/flows/index.js';
import { desiredWith } from '../../support/desired-fixture.js';
import { makeTempDir, removeDir } from '../../support/git-fixtures.js';

// The per-flow check's lookup over a real store, fed by a test's stream standing
// in for the ring buffer: events still waiting there count once drained.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

const event = (type: DatapathEvent['type'], reason: DatapathEvent['reason'], dport: number): DatapathEvent => ({
  timestampNs: 1n,
  type,
  reason,
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
  verdict: type === 'drop' ? 'deny' : 'allow',
  ruleId: 0,
  length: 60,
});
const rule = (name: string, line: number): RuleRef => ({
  id: line,
  kind: 'CiliumNetworkPolicy',
  namespace: 'default',
  name,
  path: 'spec.ingress[0]',
  file: 'policy.yaml',
  line,
});

describe('the flow drop records', () => {
  it('drains waiting events before reading, counts drops per flow and names the latest reason and rule', async () => {
    const dir = makeTempDir('gitwire-flow-drops-');
    dirs.push(dir);
    // Events "in the ring buffer": delivered only when the recorder drains its source.
    const waiting: MonitoredEvent[] = [];
    let desired: ReturnType<typeof desiredWith> | null = null;
    const store = await FlowStore.open({ path: join(dir, 'flows.sqlite') });
    const open: OpenEvents = (_d, onEvent) => ({
      close: () => {},
      drain: () => waiting.splice(0).forEach(onEvent),
    });
    let records: FlowDropRecords | null = null;
    const recorder = new FlowRecorder({
      store,
      desired: () => desired,
      lostEvents: () => 0,
      onEvent: (m) => records?.observe(m),
      intervalMs: 60_000,
      node: { node: 'n1', nodeNs: null },
      open,
    });
    records = new FlowDropRecords(recorder, store);
    expect(await records.drops()).toBeNull();

    desired = desiredWith('n1', 'a', {});
    const time = new Date(5000);
    waiting.push(
      { event: event('drop', 'denied-default', 80), rule: null, time, enforcedBy: [rule('web', 4), rule('web', 9)] },
      { event: event('drop', 'denied-default', 80), rule: null, time, enforcedBy: [rule('web', 4)] },
      { event: event('drop', 'denied-policy', 22), rule: rule('no-ssh', 12), time },
      { event: event('verdict', 'allowed', 443), rule: null, time },
    );
    const drops = await records.drops();
    expect(drops).toEqual(
      expect.arrayContaining([
        {
          srcIdentity: 1001,
          dstIdentity: 1002,
          port: 80,
          protocol: 6,
          count: 2,
          why: 'denied-default, ingress enforced by policy default/web (policy.yaml:4)',
        },
        {
          srcIdentity: 1001,
          dstIdentity: 1002,
          port: 22,
          protocol: 6,
          count: 1,
          why: 'denied-policy, policy default/no-ssh (policy.yaml:12)',
        },
      ]),
    );
    expect(drops).toHaveLength(2);
    await recorder.stop();
  });
});
