import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointValue, Entry, HealthCheckValue, IpcacheValue } from '../../src/desired/desired-state.js';
import { plan } from '../../src/reconciler/plan.js';
import type { CompiledRevision } from '../../src/reconciler/reconcile-node.js';
import {
  Agent,
  condition,
  renderStatusText,
  type AgentDeps,
  type AgentLog,
  type NodeStatus,
  type StatusStore,
} from '../../src/reconciler/agent/index.js';
import type { RevisionGate } from '../../src/reconciler/rollout/index.js';
import { desiredWith } from '../support/desired-fixture.js';

// The check step against fakes: a node that holds ipcache entries in memory,
// converged with the real plan(), and probes that get through exactly when the
// entry for their address (`<address>/32`) is in that fake kernel.

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

const route = (address: string): Entry<IpcacheValue> => ({
  key: `${address}/32`,
  value: { prefix: `${address}/32`, identity: 256, tunnelEndpoint: null },
});

const probeOf = (name: string, address: string, expect: 'allow' | 'deny', line: number): Entry<HealthCheckValue> => ({
  key: `default/${name}`,
  value: {
    name: `default/${name}`,
    probe: 'tcp',
    from: 'default/tiefighter',
    netns: 'gw-n1_default_tiefighter',
    to: 'endpoint default/deathstar',
    address,
    port: 80,
    path: null,
    status: null,
    expect,
    deadlineMs: 2000,
    file: 'checks.yaml',
    line,
  },
});

/** The probes' sender, so the per-flow check finds its identity. */
const TIEFIGHTER: Entry<EndpointValue> = {
  key: 'default/tiefighter',
  value: {
    id: 7,
    name: 'tiefighter',
    namespace: 'default',
    address: '10.0.1.7',
    mac: '02:00:00:00:00:07',
    ifName: 'lxc7',
    gateway: '10.0.1.1',
    netns: 'gw-n1_default_tiefighter',
    identity: 300,
    enforceIngress: false,
    enforceEgress: false,
    audit: false,
  },
};

const LANDS = probeOf('tie-lands', '10.0.2.10', 'allow', 3);
const XWING_DENIED = probeOf('xwing-denied', '10.0.2.99', 'deny', 20);

interface Commit {
  readonly ipcache: readonly Entry<IpcacheValue>[];
  readonly checks: readonly Entry<HealthCheckValue>[];
}

class FakeWorld {
  head = A;
  readonly commits = new Map<string, Commit>();
  kernel: Entry<IpcacheValue>[] = [];
  readonly compiled: string[] = [];
  /** Revisions applied, in order (the rollback's included). */
  readonly applied: (string | null)[] = [];
  probes = 0;
  /** Fails the next reconcile towards this revision, as a busy kernel would. */
  failApplyOf: string | null = null;

  readonly deps: AgentDeps = {
    resolve: async () => this.head,
    compile: async (_repo, source, node, generation): Promise<CompiledRevision> => {
      const rev = source.rev!;
      this.compiled.push(rev);
      const c = this.commits.get(rev)!;
      const state = desiredWith(node, rev, { endpoint: [TIEFIGHTER], ipcache: c.ipcache, healthcheck: c.checks });
      const desired = { ...state, inputs: { commit: rev, generation } };
      return { inputs: desired.inputs, desired, warnings: [] };
    },
    reconcile: async (opts) => {
      const desired = opts.compiled!.desired;
      if (this.failApplyOf === desired.inputs.commit) {
        this.failApplyOf = null;
        throw new Error('device busy');
      }
      this.applied.push(desired.inputs.commit);
      const observe = () => ({ node: opts.node, resources: { ipcache: this.kernel } });
      const planOpts = { from: 'live', kinds: ['ipcache' as const] };
      const changes = plan(desired, observe(), planOpts);
      this.kernel = [...desired.resources.ipcache];
      return {
        inputs: desired.inputs,
        changes,
        writes: changes.changes.length,
        remaining: plan(desired, observe(), planOpts),
        warnings: [],
      };
    },
    probe: async (check) => {
      this.probes += 1;
      const reached = this.kernel.some((e) => e.key === `${check.address}/32`);
      return { reached, got: reached ? 'connected' : 'timeout' };
    },
    release: () => {},
    openLiveNode: () => null,
  };
}

/** The cluster store: records statuses, and can stop answering as an unreachable etcd does. */
class FakeEtcd implements StatusStore {
  readonly name = 'etcd';
  readonly written: NodeStatus[] = [];
  down = false;
  /** Refuses writes too: an outage that began before the apply. */
  outage = false;
  async write(s: NodeStatus) {
    if (this.outage) throw new Error('BrokenCircuitError: circuit open');
    this.written.push(s);
  }
  async read() {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:2379');
    return this.written.at(-1) ?? null;
  }
  async close() {}
}

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

function setup(gate?: RevisionGate, flowDrops?: AgentDeps['flowDrops'], log?: AgentLog) {
  const world = new FakeWorld();
  // A: the tiefighter lands, the xwing does not.
  world.commits.set(A, { ipcache: [route('10.0.2.10')], checks: [LANDS, XWING_DENIED] });
  const etcd = new FakeEtcd();
  const agent = new Agent({
    repo: 'https://git.test/cfg.git',
    node: 'n1',
    rev: 'main',
    intervalMs: 3_600_000,
    stores: [etcd],
    deps: flowDrops ? { ...world.deps, flowDrops } : world.deps,
    ...(gate ? { gate } : {}),
    ...(log ? { log } : {}),
  });
  agents.push(agent);
  return { world, agent, etcd };
}

const conditions = (s: NodeStatus) => Object.fromEntries(s.conditions.map((c) => [c.type, c.status]));
const keys = (world: FakeWorld) => world.kernel.map((e) => e.key);

describe('health-gated rollback on a node', () => {
  it('rolls a commit that cuts a probed flow back to the last good one, and says why in the status and etcd', async () => {
    const { world, agent, etcd } = setup();
    await agent.reconcileNow();
    expect(conditions(agent.status)).toMatchObject({ Ready: 'True' });
    world.commits.set(B, { ipcache: [], checks: [LANDS, XWING_DENIED] });
    world.head = B;
    await agent.reconcileNow();

    expect(world.applied).toEqual([A, B, A]);
    expect(keys(world)).toEqual(['10.0.2.10/32']);
    const s = etcd.written.at(-1)!;
    expect(conditions(s)).toEqual({ Ready: 'False', Reconciling: 'False', Stalled: 'True' });
    expect(condition(s, 'Stalled')!.reason).toBe('HealthCheckFailed');
    expect(condition(s, 'Stalled')!.message).toMatch(
      /^check bbbbbbbbbbbb: default\/tie-lands \(checks\.yaml:3\): tcp default\/tiefighter → endpoint default\/deathstar \(10\.0\.2\.10:80\) expected allow, got timeout/,
    );
    expect(s.lastAppliedRevision).toBe(A);
    expect(s.lastAttemptedRevision).toBe(B);
    expect(s.lastError).toMatchObject({ code: 'E_HEALTH_CHECK_FAILED', step: 'check', kind: 'stalled' });
    expect(s.health).toMatchObject({
      revision: B,
      rolledBackTo: A,
      restoredChecksPassed: true,
      failed: [
        {
          name: 'default/tie-lands',
          from: 'default/tiefighter',
          to: 'endpoint default/deathstar (10.0.2.10:80)',
          expected: 'allow',
          got: 'timeout',
          source: 'checks.yaml:3',
        },
      ],
    });
    expect(s.health!.rollbackSeconds).toBeGreaterThan(0);
    expect(s.health!.outcome).toMatch(/^rolled back to aaaaaaaaaaaa in \d+ ms \(1 kernel writes\); its checks pass$/);
    expect(renderStatusText([s])).toMatch(
      /^ {2}health: {5}bbbbbbbbbbbb failed 1 check\(s\) at \S+; rolled back to aaaaaaaaaaaa in \d+ ms$/m,
    );
    const metrics = await agent.metrics.render(null);
    expect(metrics).toMatch(/^gitwire_rollback_seconds_count 1$/m);
  });

  it('rolls back a commit whose probed flow the datapath drops, from the flow records, though the probe got through', async () => {
    // The flow records: the tiefighter's flow gains 2 drops (retransmits) between two reads while B is applied.
    let count = 4;
    const { world, agent } = setup(undefined, async () => {
      if (world.applied.at(-1) === B) count += 2;
      return [
        {
          srcIdentity: 300,
          dstIdentity: 256,
          port: 80,
          protocol: 6,
          count,
          why: 'denied-policy, policy default/tight',
        },
      ];
    });
    await agent.reconcileNow();
    expect(agent.status.lastAppliedRevision).toBe(A);
    world.commits.set(B, { ipcache: [route('10.0.2.10'), route('10.0.3.1')], checks: [LANDS] });
    world.head = B;
    await agent.reconcileNow();

    expect(world.applied).toEqual([A, B, A]);
    expect(agent.status.health).toMatchObject({
      revision: B,
      rolledBackTo: A,
      failed: [
        {
          name: 'builtin:flow-drops',
          from: 'default/tiefighter',
          got: 'datapath dropped 2 packets of default/tiefighter → endpoint default/deathstar 80/tcp (denied-policy, policy default/tight)',
          source: 'checks.yaml:3',
        },
      ],
    });
  });

  it('says in its log, on each new revision, that the per-flow drop check did not run without flow records', async () => {
    const lines: string[] = [];
    const { agent } = setup(undefined, undefined, (line) => lines.push(line));
    await agent.reconcileNow();
    expect(agent.status.lastAppliedRevision).toBe(A);
    expect(lines.filter((l) => l.startsWith('builtin:flow-drops'))).toEqual([
      'builtin:flow-drops: flow records probed flows expected no datapath drop, got not run: this agent records no flows (start it with --flow-records or --observe-addr)',
    ]);
  });

  it('rolls back a commit that opens a flow a probe expects denied', async () => {
    const { world, agent } = setup();
    await agent.reconcileNow();
    world.commits.set(B, { ipcache: [route('10.0.2.10'), route('10.0.2.99')], checks: [LANDS, XWING_DENIED] });
    world.head = B;
    await agent.reconcileNow();

    expect(keys(world)).toEqual(['10.0.2.10/32']);
    expect(agent.status.health!.failed).toMatchObject([
      { name: 'default/xwing-denied', expected: 'deny', got: 'connected', source: 'checks.yaml:20' },
    ]);
    expect(condition(agent.status, 'Stalled')!.reason).toBe('HealthCheckFailed');
  });

  it('does not try the failed commit again, keeps repairing towards the last good one, and tries the next commit', async () => {
    const { world, agent } = setup();
    await agent.reconcileNow();
    world.commits.set(B, { ipcache: [], checks: [LANDS] });
    world.head = B;
    await agent.reconcileNow();
    const probes = world.probes;

    world.kernel = [];
    await agent.reconcileNow();
    expect(world.compiled).toEqual([A, B]);
    expect(world.applied).toEqual([A, B, A, A]);
    expect(keys(world)).toEqual(['10.0.2.10/32']);
    expect(world.probes).toBe(probes);
    expect(condition(agent.status, 'Stalled')!.reason).toBe('HealthCheckFailed');

    world.commits.set(C, { ipcache: [route('10.0.2.10'), route('10.0.3.1')], checks: [LANDS] });
    world.head = C;
    await agent.reconcileNow();
    expect(world.compiled).toEqual([A, B, C]);
    expect(conditions(agent.status)).toEqual({ Ready: 'True', Reconciling: 'False', Stalled: 'False' });
    expect(agent.status.lastAppliedRevision).toBe(C);
    expect(agent.status.health).toBeUndefined();
  });

  it('runs the checks after applying a new commit, not on the repair passes of one that passed', async () => {
    const { world, agent } = setup();
    await agent.reconcileNow();
    expect(world.probes).toBe(2);
    world.kernel = [];
    await agent.reconcileNow();
    expect(keys(world)).toEqual(['10.0.2.10/32']);
    expect(world.probes).toBe(2);
  });

  it('reports a failing first commit without rollback, as there is nothing to go back to', async () => {
    const { world, agent } = setup();
    world.commits.set(A, { ipcache: [], checks: [LANDS] });
    await agent.reconcileNow();
    expect(world.applied).toEqual([A]);
    expect(agent.status.health).toMatchObject({ revision: A, rolledBackTo: null, rollbackSeconds: null });
    expect(agent.status.health!.outcome).toMatch(/nothing to roll back to: this one stays applied/);
    expect(condition(agent.status, 'Stalled')!.reason).toBe('HealthCheckFailed');
    expect(await agent.metrics.render(null)).toMatch(/^gitwire_rollback_seconds_count 0$/m);
  });

  it('after a restart, rolls a failing head back to the revision the previous run last applied', async () => {
    const first = setup();
    await first.agent.reconcileNow();
    await first.agent.stop();
    const world = first.world;
    world.commits.set(B, { ipcache: [], checks: [LANDS] });
    world.head = B;
    const agent = new Agent({
      repo: 'https://git.test/cfg.git',
      node: 'n1',
      rev: 'main',
      intervalMs: 3_600_000,
      stores: [first.etcd],
      deps: world.deps,
    });
    agents.push(agent);
    await agent.reconcileNow();
    expect(world.applied).toEqual([A, B, A]);
    expect(keys(world)).toEqual(['10.0.2.10/32']);
    expect(agent.status.health).toMatchObject({ revision: B, rolledBackTo: A, restoredChecksPassed: true });
    world.kernel = [];
    await agent.reconcileNow();
    expect(keys(world)).toEqual(['10.0.2.10/32']);
  });

  it('fails the built-in store check when the cluster store does not answer', async () => {
    const { world, agent, etcd } = setup();
    await agent.reconcileNow();
    world.commits.set(B, { ipcache: [route('10.0.2.10')], checks: [] });
    world.head = B;
    etcd.down = true;
    await agent.reconcileNow();
    expect(agent.status.health!.failed).toMatchObject([
      { name: 'builtin:store-etcd', expected: 'reachable', got: 'unreachable (connect ECONNREFUSED 127.0.0.1:2379)' },
    ]);
    expect(agent.status.health!.rolledBackTo).toBe(A);
  });

  it("applies a new commit during a cluster store outage that began before it: the outage is not the commit's doing", async () => {
    const { world, agent, etcd } = setup();
    await agent.reconcileNow();
    world.commits.set(B, { ipcache: [route('10.0.2.10'), route('10.0.3.1')], checks: [LANDS] });
    world.head = B;
    etcd.outage = true;
    etcd.down = true;
    await agent.reconcileNow();
    expect(agent.status.lastAppliedRevision).toBe(B);
    expect(conditions(agent.status)).toMatchObject({ Ready: 'True' });
  });

  it('says so when the rollback itself fails, and the next pass restores the last good commit', async () => {
    const { world, agent } = setup();
    await agent.reconcileNow();
    world.commits.set(B, { ipcache: [], checks: [LANDS] });
    world.head = B;
    world.failApplyOf = A;
    await agent.reconcileNow();
    expect(keys(world)).toEqual([]);
    expect(agent.status.health).toMatchObject({ rolledBackTo: null, rollbackSeconds: null });
    expect(agent.status.health!.outcome).toMatch(/^rolling back to aaaaaaaaaaaa failed \(device busy\)/);
    await agent.reconcileNow();
    expect(keys(world)).toEqual(['10.0.2.10/32']);
    expect(world.compiled).toEqual([A, B]);
  });

  it('in a staged rollout, keeps the failure in the status once the coordinator sends the node back, until a new commit passes', async () => {
    // The rollout's target for the node, as the coordinator sets it in etcd.
    let target = A;
    const gate: RevisionGate = {
      target: async () => ({ rev: target, target, pinned: null, suspended: null }),
    };
    const { world, agent } = setup(gate);
    await agent.reconcileNow();
    world.commits.set(B, { ipcache: [], checks: [LANDS] });
    world.head = target = B;
    await agent.reconcileNow();
    expect(condition(agent.status, 'Stalled')!.reason).toBe('HealthCheckFailed');

    // The rollout halts and the target goes back to A: Ready on A, and still saying why B is not there.
    target = A;
    await agent.reconcileNow();
    expect(conditions(agent.status)).toEqual({ Ready: 'True', Reconciling: 'False', Stalled: 'False' });
    expect(agent.status.lastAppliedRevision).toBe(A);
    expect(agent.status.health).toMatchObject({ revision: B, rolledBackTo: A });
    expect(renderStatusText([agent.status])).toMatch(/^ {2}health: {5}bbbbbbbbbbbb failed 1 check\(s\)/m);

    world.commits.set(C, { ipcache: [route('10.0.2.10'), route('10.0.3.1')], checks: [LANDS] });
    world.head = target = C;
    await agent.reconcileNow();
    expect(agent.status.lastAppliedRevision).toBe(C);
    expect(agent.status.health).toBeUndefined();
  });
});
