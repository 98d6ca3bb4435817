import { describe, expect, it } from 'vitest';
import type { EndpointValue, Entry, HealthCheckValue, IpcacheValue } from '../../../src/desired/desired-state.js';
import {
  probedFlow,
  runHealthChecks,
  type DroppedFlow,
  type ProbeOutcome,
} from '../../../src/reconciler/health/index.js';
import { desiredWith } from '../../support/desired-fixture.js';

// The per-flow drop check against fake flow records: the probe's flow is
// looked up by identities (client 300 → web 400, from the ipcache), port and protocol.

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
  line: 4,
  ...over,
});

const client: Entry<EndpointValue> = {
  key: 'default/client',
  value: {
    id: 12,
    name: 'client',
    namespace: 'default',
    address: '10.0.1.7',
    mac: '02:00:00:00:00:0c',
    ifName: 'lxc12',
    gateway: '10.0.1.1',
    netns: 'gw-n1_default_client',
    identity: 300,
    enforceIngress: false,
    enforceEgress: true,
    audit: false,
  },
};
const cidr = (prefix: string, identity: number): Entry<IpcacheValue> => ({
  key: prefix,
  value: { prefix, identity, tunnelEndpoint: null },
});
// The /32 of the web endpoint wins over the pod CIDR it is in.
const desired = desiredWith('n1', 'a'.repeat(40), {
  endpoint: [client],
  ipcache: [cidr('10.0.2.0/24', 2), cidr('10.0.2.5/32', 400), cidr('fd00::/64', 7)],
});

const dropped = (count: number, over: Partial<DroppedFlow> = {}): DroppedFlow => ({
  srcIdentity: 300,
  dstIdentity: 400,
  port: 80,
  protocol: 6,
  count,
  why: 'denied-policy, policy default/web-only (policy.yaml:9)',
  ...over,
});

const connected = async (): Promise<ProbeOutcome> => ({ reached: true, got: 'connected' });
const input = (checks: HealthCheckValue[]) => ({
  checks,
  remaining: 0,
  stores: [],
  storeDeadlineMs: 100,
  flowOf: (c: HealthCheckValue) => probedFlow(c, desired),
});

describe('the per-flow drop check', () => {
  it('fails an allowed probe that got through when its flow was dropped meanwhile, naming count, flow and rule', async () => {
    // Before the probes: 5 old drops of the flow, and another flow's; during them 3 more of the flow, 9 of the other.
    const snapshots = [
      [dropped(5), dropped(1, { port: 443 })],
      [dropped(8), dropped(10, { port: 443 })],
    ];
    const report = await runHealthChecks(input([check('web')]), {
      probe: connected,
      drops: () => null,
      flowDrops: async () => snapshots.shift() ?? null,
    });
    expect(report.passed).toBe(false);
    expect(report.failed).toEqual([
      {
        name: 'builtin:flow-drops',
        from: 'default/client',
        to: 'endpoint default/web',
        probe: 'flow records',
        expected: 'no datapath drop',
        got: 'datapath dropped 3 packets of default/client → endpoint default/web 80/tcp (denied-policy, policy default/web-only (policy.yaml:9))',
        passed: false,
        source: 'checks.yaml:4',
      },
    ]);
    expect(report.results.find((r) => r.name === 'default/web')).toMatchObject({ got: 'connected', passed: true });
  });

  it('passes when only older drops or other flows were recorded, and leaves deny probes alone', async () => {
    let reads = 0;
    const report = await runHealthChecks(input([check('web'), check('kept-out', { expect: 'deny', port: 22 })]), {
      probe: async (c) =>
        c.expect === 'deny' ? { reached: false, got: 'timeout' } : { reached: true, got: 'connected' },
      drops: () => null,
      flowDrops: async () => {
        reads += 1;
        return [dropped(5), dropped(reads * 4, { port: 22 })];
      },
    });
    expect(report.passed).toBe(true);
    expect(report.results.filter((r) => r.name === 'builtin:flow-drops')).toMatchObject([
      { from: 'default/client', got: 'none', passed: true },
    ]);
    expect(reads).toBe(2);
  });

  it('says it did not run without flow records, when they cannot be read, and for a service target', async () => {
    const without = await runHealthChecks(input([check('web')]), { probe: connected, drops: () => null });
    expect(without.passed).toBe(true);
    expect(without.results).toContainEqual(
      expect.objectContaining({
        name: 'builtin:flow-drops',
        got: 'not run: this agent records no flows (start it with --flow-records or --observe-addr)',
        skipped: true,
      }),
    );
    const unreadable = await runHealthChecks(input([check('web')]), {
      probe: connected,
      drops: () => null,
      flowDrops: () => Promise.reject(new Error('disk full')),
    });
    expect(unreadable.results).toContainEqual(
      expect.objectContaining({ name: 'builtin:flow-drops', got: 'not run: the flow records could not be read' }),
    );
    const service = await runHealthChecks(input([check('api', { to: 'service default/api:80' })]), {
      probe: connected,
      drops: () => null,
      flowDrops: async () => [dropped(1)],
    });
    expect(service.results).toContainEqual(
      expect.objectContaining({
        name: 'builtin:flow-drops',
        from: 'default/client',
        got: expect.stringMatching(/^not run: a service probe/),
      }),
    );
  });

  it('keys a probe by identities from the endpoint and the longest ipcache prefix, ICMP by the echo type', () => {
    expect(probedFlow(check('web'), desired)).toEqual({ srcIdentity: 300, dstIdentity: 400, port: 80, protocol: 6 });
    expect(probedFlow(check('ping', { probe: 'icmp', port: null, address: '10.0.2.9' }), desired)).toEqual({
      srcIdentity: 300,
      dstIdentity: 2,
      port: 8,
      protocol: 1,
    });
    expect(probedFlow(check('far', { address: '192.0.2.1' }), desired)).toBe(
      'no identity for 192.0.2.1 in the ipcache',
    );
    expect(probedFlow(check('v6', { address: 'fd00::5' }), desired)).toMatchObject({ dstIdentity: 7 });
    expect(probedFlow(check('other', { from: 'default/nobody' }), desired)).toBe(
      'no endpoint default/nobody on this node',
    );
  });
});
