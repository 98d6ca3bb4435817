import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../src/reconciler/agent/index.js';

// deploy/grafana/gitwire.json queries the agent's metrics by name: a renamed metric would leave a panel empty.

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/gitwire.json', import.meta.url), 'utf8')) as {
  panels: Panel[];
  templating: { list: { definition?: string }[] };
};

/** Metric names in a PromQL expression; a histogram's series name its family. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bgitwire_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
}

describe('the Grafana dashboard', () => {
  const queried = new Map<string, string>();
  for (const p of dashboard.panels)
    for (const t of p.targets ?? []) for (const m of metricsIn(t.expr)) queried.set(m, p.title);
  for (const v of dashboard.templating.list) for (const m of metricsIn(v.definition ?? '')) queried.set(m, 'variable');

  it('queries only metrics the agent registers', async () => {
    const registry = new AgentMetrics('n1').registry;
    const registered = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    expect(queried.size).toBeGreaterThan(10);
    const missing = [...queried].filter(([m]) => !registered.has(m)).map(([m, panel]) => `${m} (${panel})`);
    expect(missing).toEqual([]);
  });

  it('reads histograms through their buckets and counters through rate()', () => {
    const registry = new AgentMetrics('n1').registry;
    for (const p of dashboard.panels)
      for (const t of p.targets ?? []) {
        for (const [, name] of t.expr.matchAll(/\b(gitwire_[a-z_]+_total)\b/g))
          expect(t.expr, `${p.title}: ${name}`).toMatch(new RegExp(`rate\\(${name}[{\\[]`));
        for (const m of metricsIn(t.expr)) {
          const type = (registry.getSingleMetric(m) as unknown as { type?: string } | undefined)?.type;
          if (type === 'histogram') expect(t.expr, p.title).toMatch(new RegExp(`${m}_(bucket|sum|count)`));
        }
      }
  });
});
