import { afterEach, describe, expect, it } from 'vitest';
import type { DatapathEvent } from '../../src/datapath/maps/index.js';
import type { RuleRef } from '../../src/desired/index.js';
import {
  AgentMetrics,
  startMetricsServer,
  type MetricsServer,
  type MonitoredEvent,
} from '../../src/reconciler/agent/index.js';

const rule = (name: string, id = 1): RuleRef => ({
  id,
  kind: 'CiliumNetworkPolicy',
  namespace: 'default',
  name,
  path: 'spec.ingress[0]',
  file: 'policies/p.yaml',
  line: 14,
});

const event = (type: DatapathEvent['type'], reason: DatapathEvent['reason']): DatapathEvent => ({
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
  dport: 80,
  protocol: 6,
  verdict: type === 'drop' ? 'deny' : 'allow',
  ruleId: 1,
  length: 60,
});

const monitored = (e: DatapathEvent, r: RuleRef | null): MonitoredEvent => ({ event: e, rule: r, time: new Date(0) });

let server: MetricsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function scrape(metrics: AgentMetrics): Promise<{ text: string; type: string | null }> {
  server = await startMetricsServer('127.0.0.1:0', {
    render: () => metrics.render({ 'event-lost': { packets: 9n, bytes: 0n } } as never),
    contentType: metrics.contentType,
  });
  const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  return { text: await res.text(), type: res.headers.get('content-type') };
}

describe('agent metrics through prom-client', () => {
  it('observes reconcile and apply durations as histograms', async () => {
    const metrics = new AgentMetrics('n1');
    metrics.lastDurationSeconds = 0.02;
    metrics.lastDurationSeconds = 3;
    metrics.observeApply(0.004);
    const { text, type } = await scrape(metrics);
    expect(type).toContain('text/plain');
    expect(text).toContain('# TYPE gitwire_reconcile_duration_seconds histogram');
    expect(text).toContain('gitwire_reconcile_duration_seconds_bucket{le="0.025"} 1');
    expect(text).toContain('gitwire_reconcile_duration_seconds_bucket{le="5"} 2');
    expect(text).toContain('gitwire_reconcile_duration_seconds_count 2');
    expect(text).toContain('gitwire_apply_duration_seconds_bucket{le="0.005"} 1');
    expect(metrics.lastDurationSeconds).toBe(3);
  });

  it('counts allowed and dropped events per policy, and lost events', async () => {
    const metrics = new AgentMetrics('n1');
    metrics.countEvent(monitored(event('verdict', 'allowed'), rule('web')));
    metrics.countEvent(monitored(event('verdict', 'allowed'), rule('web')));
    metrics.countEvent(monitored(event('drop', 'denied-policy'), rule('web')));
    metrics.countEvent(monitored(event('drop', 'denied-default'), null));
    const { text } = await scrape(metrics);
    expect(text).toContain(
      'gitwire_policy_verdicts_total{policy="default/web",direction="ingress",result="allowed"} 2',
    );
    expect(text).toContain(
      'gitwire_policy_verdicts_total{policy="default/web",direction="ingress",result="dropped"} 1',
    );
    expect(text).toContain(
      'gitwire_policy_verdicts_total{policy="default-deny",direction="ingress",result="dropped"} 1',
    );
    expect(text).toContain('gitwire_events_lost_total 9');
    expect(text).toContain('gitwire_datapath_packets_total{reason="event-lost"} 9');
  });

  it('folds policies beyond the label limit into other, so cardinality stays bounded', async () => {
    const metrics = new AgentMetrics('n1', 3);
    for (let i = 0; i < 10; i++) metrics.countEvent(monitored(event('drop', 'denied-policy'), rule(`p${i}`, i)));
    const { text } = await scrape(metrics);
    const policies = new Set([...text.matchAll(/gitwire_policy_verdicts_total\{policy="([^"]+)"/g)].map((m) => m[1]));
    expect(policies).toEqual(new Set(['default/p0', 'default/p1', 'default/p2', 'other']));
    expect(text).toContain('gitwire_policy_verdicts_total{policy="other",direction="ingress",result="dropped"} 7');
  });

  it("reports the process's resident size and heap as Prometheus' Node clients name them", async () => {
    const { text } = await scrape(new AgentMetrics('n1'));
    const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    // Read at scrape time: a resident size below the heap it holds, or none, would be a wrong reading.
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(value('nodejs_heap_size_used_bytes'));
    expect(value('nodejs_heap_size_total_bytes')).toBeGreaterThanOrEqual(value('nodejs_heap_size_used_bytes'));
    expect(value('nodejs_heap_size_used_bytes')).toBeGreaterThan(1024 * 1024);
    expect(value('nodejs_external_memory_bytes')).toBeGreaterThan(0);
  });
});
