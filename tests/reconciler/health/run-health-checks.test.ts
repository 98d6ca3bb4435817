import { describe, expect, it } from 'vitest';
import type { HealthCheckValue } from '../../../src/desired/desired-state.js';
import { runHealthChecks, type ProbeOutcome } from '../../../src/reconciler/health/index.js';

const check = (name: string, over: Partial<HealthCheckValue> = {}): HealthCheckValue => ({
  name: `default/${name}`,
  probe: 'tcp',
  from: 'default/client',
  netns: 'gw-n1_default_client',
  to: 'endpoint default/web',
  address: '10.0.2.5',
  port: 80,
  path: null,
  status: null,
  expect: 'allow',
  deadlineMs: 2000,
  file: 'checks.yaml',
  line: 1,
  ...over,
});

const never = new Promise<ProbeOutcome>(() => {});
const input = (checks: HealthCheckValue[], remaining = 0) => ({ checks, remaining, stores: [], storeDeadlineMs: 100 });

describe('running the health checks', () => {
  it('settles at the first failure without waiting for slower probes', async () => {
    const probes: Record<string, Promise<ProbeOutcome>> = {
      'default/slow': never,
      'default/cut': Promise.resolve({ reached: false, got: 'timeout' }),
    };
    const report = await runHealthChecks(input([check('slow'), check('cut')]), {
      probe: (c) => probes[c.name]!,
      drops: () => null,
    });
    expect(report.passed).toBe(false);
    expect(report.failed.map((r) => [r.name, r.got])).toEqual([['default/cut', 'timeout']]);
    expect(report.results.map((r) => r.name)).toEqual(['builtin:converged', 'builtin:flow-drops', 'default/cut']);
  });

  it('fails a probe that cannot run, and the converged check when changes remain', async () => {
    const broken = await runHealthChecks(input([check('broken')]), {
      probe: () => Promise.reject(new Error('spawn ip ENOENT')),
      drops: () => null,
    });
    expect(broken.failed).toMatchObject([{ name: 'default/broken', got: 'probe error: spawn ip ENOENT' }]);
    const unconverged = await runHealthChecks(input([], 2), { probe: () => never, drops: () => null });
    expect(unconverged.failed).toMatchObject([{ name: 'builtin:converged', got: '2 changes left' }]);
  });

  it('names the drop counters that grew while an allowed probe failed, and reads 403 as an HTTP denial', async () => {
    let dropped = 7;
    const report = await runHealthChecks(
      input([check('api', { probe: 'http', path: '/admin', status: 200, expect: 'deny' }), check('web')]),
      {
        probe: async (c) => {
          if (c.probe === 'http') return { reached: true, got: 'HTTP 403', status: 403 };
          dropped += 3;
          return { reached: false, got: 'timeout' };
        },
        drops: () => ({ 'denied-default': dropped, 'denied-policy': 1 }),
      },
    );
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    expect(byName['default/api']!.passed).toBe(true);
    expect(byName['default/web']).toMatchObject({ passed: false, drops: 'denied-default 3' });
  });

  it('fails an http probe expected to answer 200 that answers 500', async () => {
    const report = await runHealthChecks(input([check('api', { probe: 'http', path: '/', status: 200 })]), {
      probe: async () => ({ reached: true, got: 'HTTP 500', status: 500 }),
      drops: () => null,
    });
    expect(report.failed).toMatchObject([{ name: 'default/api', expected: 'allow (HTTP 200)', got: 'HTTP 500' }]);
  });

  it('fails the store check when the store does not answer within its deadline', async () => {
    const report = await runHealthChecks(
      { ...input([]), stores: [{ name: 'etcd', reach: () => never.then(() => undefined) }] },
      { probe: () => never, drops: () => null },
    );
    expect(report.failed).toMatchObject([{ name: 'builtin:store-etcd', got: 'unreachable (no answer within 100 ms)' }]);
  });
});
