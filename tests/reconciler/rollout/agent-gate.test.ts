import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent, type AgentDeps, type NodeStatus, type StatusStore } from '../../../src/reconciler/agent/index.js';
import { plan } from '../../../src/reconciler/plan.js';
import type { CompiledRevision } from '../../../src/reconciler/reconcile-node.js';
import { EtcdRevisionGate, RolloutStore } from '../../../src/reconciler/rollout/index.js';
import { desiredWith } from '../../support/desired-fixture.js';
import { startEtcd, type EtcdServer } from '../../support/etcd-server.js';

// The agent's fetch step asking the real etcd gate; the layers below the loop
// are the loop tests' kind of fake: a head the test moves and a node that
// records which commit it holds.

const [A, B, C] = ['a', 'b', 'c'].map((c) => c.repeat(40)) as [string, string, string];
const by = { by: 'ops@test', at: '2026-12-01T00:00:00.000Z' };

class World {
  head = A;
  applied: string | null = null;
  drifted = false;
  readonly deps: Partial<AgentDeps> = {
    resolve: async () => this.head,
    compile: async (_repo, source, node, generation): Promise<CompiledRevision> => {
      const state = desiredWith(node, source.rev!, {});
      const desired = { ...state, inputs: { commit: source.rev!, generation } };
      return { inputs: desired.inputs, desired, warnings: [] };
    },
    reconcile: async (opts) => {
      const desired = opts.compiled!.desired;
      const changes = plan(desired, { node: opts.node, resources: {} }, { from: 'live', kinds: ['ipcache'] });
      const writes = this.applied !== desired.inputs.commit || this.drifted ? 1 : 0;
      this.applied = desired.inputs.commit;
      this.drifted = false;
      return { inputs: desired.inputs, changes, writes, remaining: null, warnings: [] };
    },
    release: () => {},
  };
}

const memory = (): StatusStore & { last: NodeStatus | null } => ({
  name: 'memory',
  last: null,
  async write(s) {
    this.last = s;
  },
  async read() {
    return this.last;
  },
  async close() {},
});

describe("the agent's fetch step behind the etcd gate", () => {
  let etcd: EtcdServer;
  let client: Etcd3;
  let store: RolloutStore;
  let world: World;
  let agent: Agent;

  beforeAll(async () => {
    etcd = await startEtcd();
    client = new Etcd3({ hosts: [etcd.endpoint] });
    store = new RolloutStore(client);
  });
  afterAll(async () => {
    client?.close();
    await etcd?.stop();
  });
  beforeEach(async () => {
    await agent?.stop();
    await client.delete().prefix('/gitwire/');
    world = new World();
    agent = new Agent({
      repo: 'https://git.test/cfg.git',
      node: 'n1',
      intervalMs: 3_600_000,
      stores: [memory()],
      deps: world.deps,
      gate: new EtcdRevisionGate(client, 'n1'),
    });
  });

  it('follows the head without a target, and the target once the rollout sets one', async () => {
    await agent.reconcileNow();
    expect(world.applied).toBe(A);
    expect(agent.status.hold).toBeUndefined();
    await store.setTarget('n1', A, new Date());
    world.head = B;
    await agent.reconcileNow();
    expect(world.applied).toBe(A);
    expect(agent.status.hold).toEqual({ target: A, pinned: null, suspended: null });
    await store.setTarget('n1', B, new Date());
    await agent.reconcileNow();
    expect(world.applied).toBe(B);
  });

  it('stays on its revision while suspended, repairing drift unless told not to, and catches up on resume', async () => {
    await agent.reconcileNow();
    await store.suspend('n1', by, true);
    world.head = B;
    world.drifted = true;
    await agent.reconcileNow();
    expect(world.applied).toBe(A);
    expect(world.drifted).toBe(false); // repaired towards A
    expect(agent.status.hold?.suspended).toMatchObject({ by: 'ops@test', scope: 'node', driftRepair: true });
    await store.suspend(null, by, false);
    await store.unsuspend('n1');
    world.drifted = true;
    await agent.reconcileNow();
    expect(world.drifted).toBe(true); // the cluster's suspension turned drift repair off
    expect(agent.status.hold?.suspended).toMatchObject({ scope: 'cluster' });
    await store.unsuspend(null);
    await agent.reconcileNow();
    expect(world.applied).toBe(B);
    expect(agent.status.hold).toBeUndefined();
  });

  it('applies its pin whatever the head or the target say', async () => {
    await store.setPin('n1', { ...by, revision: C });
    await store.setTarget('n1', B, new Date());
    await agent.reconcileNow();
    expect(world.applied).toBe(C);
    expect(agent.status.hold?.pinned).toMatchObject({ revision: C, by: 'ops@test' });
    await store.unpin('n1');
    await agent.reconcileNow();
    expect(world.applied).toBe(B);
  });

  it('keeps to the last answer while etcd is away, so an outage never lets the node past its target', async () => {
    await store.setTarget('n1', A, new Date());
    await agent.reconcileNow();
    const own = await startEtcd();
    const away = new Etcd3({ hosts: [own.endpoint], dialTimeout: 500 });
    try {
      const gate = new EtcdRevisionGate(away, 'n1');
      await new RolloutStore(away).setTarget('n1', A, new Date());
      expect((await gate.target(B)).rev).toBe(A);
      await own.stop();
      expect((await gate.target(C)).rev).toBe(A);
      const fresh = new EtcdRevisionGate(away, 'n2');
      await expect(fresh.target(C)).rejects.toMatchObject({ code: 'E_GATE_UNREACHABLE', errorKind: 'transient' });
    } finally {
      away.close();
      await own.stop();
    }
  });
});
