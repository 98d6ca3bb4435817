import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initialStatus, markFailed, markReady } from '../../../src/reconciler/agent/node-status.js';
import { statusKey } from '../../../src/reconciler/agent/etcd-status-store.js';
import { startNodeLease, type NodeLease } from '../../../src/reconciler/cluster/node-lease.js';
import {
  EtcdRevisionGate,
  RolloutCoordinator,
  RolloutStore,
  startElectedCoordinator,
  type RolloutPlan,
} from '../../../src/reconciler/rollout/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd-server.js';

const rev = (c: string) => c.repeat(40);
const [R1, R2, R3, BAD] = [rev('1'), rev('2'), rev('3'), rev('b')];
const oneNodeWaves: RolloutPlan = { waves: [['n1'], ['n2'], ['n3']], maxUnavailable: [1, 1, 1], pauseMs: 0 };
const by = { by: 'ops@test', at: '2026-12-01T00:00:00.000Z' };

describe('rollout coordinator against a real etcd', () => {
  let etcd: EtcdServer;
  let client: Etcd3;
  let store: RolloutStore;
  const leases: NodeLease[] = [];
  let plans: Map<string, RolloutPlan | null>;
  let clock = 0;
  const coordinator = (name = 'n1') =>
    new RolloutCoordinator({
      store,
      name,
      now: () => new Date(Date.UTC(2026, 11, 1) + clock),
      plan: async (r) => {
        if (!plans.has(r)) throw new Error(`no plan for ${r}`);
        return plans.get(r)!;
      },
    });

  /** What an agent reports after a pass: Ready on `revision`, or stalled on it. */
  async function report(node: string, revision: string, ok = true): Promise<void> {
    const now = new Date();
    const base = markReady(initialStatus(node, 'repo', 'HEAD', now), pass(R1), now);
    const s = ok
      ? markReady(base, pass(revision), now)
      : markFailed(
          base,
          { error: { code: 'E_APPLY', message: 'boom' }, step: 'apply', kind: 'stalled', revision },
          now,
        );
    await client.put(statusKey(node)).value(JSON.stringify(s));
  }
  const pass = (revision: string) => ({ at: new Date().toISOString(), revision, durationMs: 1, changes: 0, writes: 0 });
  const targets = async () => Object.fromEntries(await store.targets());

  beforeAll(async () => {
    etcd = await startEtcd();
    client = new Etcd3({ hosts: [etcd.endpoint] });
    store = new RolloutStore(client);
  });
  afterAll(async () => {
    for (const l of leases) await l.close();
    client?.close();
    await etcd?.stop();
  });
  beforeEach(async () => {
    for (const l of leases.splice(0)) await l.close();
    await client.delete().prefix('/gitwire/');
    for (const n of ['n1', 'n2', 'n3']) leases.push(startNodeLease(client, n, 5));
    plans = new Map([
      [R1, oneNodeWaves],
      [R2, oneNodeWaves],
      [R3, oneNodeWaves],
    ]);
    clock = 0;
    // The first revision goes everywhere at once: there is nothing older to stay on.
    const first = await coordinator().step(R1);
    expect(first.phase).toBe('Completed');
    for (const n of ['n1', 'n2', 'n3']) await report(n, R1);
    await waitLeases(client, 3);
  });

  it('takes a good commit wave by wave and ends Completed with every node targeted at it', async () => {
    const c = coordinator();
    let s = await c.step(R2);
    expect(s).toMatchObject({ phase: 'Progressing', wave: 0, previous: R1 });
    expect(await targets()).toEqual({ n1: R2, n2: R1, n3: R1 });
    s = await c.step(R2);
    expect(s.wave).toBe(0); // n1 has not reported yet
    await report('n1', R2);
    s = await c.step(R2);
    expect(s).toMatchObject({ phase: 'Progressing', wave: 1 });
    expect(await targets()).toEqual({ n1: R2, n2: R2, n3: R1 });
    await report('n2', R2);
    await c.step(R2);
    await report('n3', R2);
    s = await c.step(R2);
    expect(s.phase).toBe('Completed');
    expect(Object.values(s.nodes).map((n) => n.phase)).toEqual(['Ready', 'Ready', 'Ready']);
    expect(await targets()).toEqual({ n1: R2, n2: R2, n3: R2 });
  });

  it('halts on a node that fails the revision, sends its wave back, and never gives it to the other waves', async () => {
    const c = coordinator();
    await c.step(BAD).catch(() => undefined);
    plans.set(BAD, oneNodeWaves);
    await c.step(BAD);
    await report('n1', BAD, false);
    const s = await c.step(BAD);
    expect(s.phase).toBe('Halted');
    expect(s.halted).toMatchObject({ reason: 'NodeFailed', node: 'n1' });
    expect(s.halted!.message).toContain('ApplyFailed');
    expect(s.nodes).toMatchObject({ n1: { phase: 'Failed' }, n2: { phase: 'Pending' }, n3: { phase: 'Pending' } });
    expect(await targets()).toEqual({ n1: R1, n2: R1, n3: R1 });
    // The same head again: no retry until the branch moves.
    expect((await c.step(BAD)).phase).toBe('Halted');
    expect(await targets()).toEqual({ n1: R1, n2: R1, n3: R1 });
    // The next commit starts from the last good revision.
    expect(await c.step(R3)).toMatchObject({ phase: 'Progressing', previous: R1 });
  });

  it('stages a commit that does not validate with the previous waves, so it fails on the first wave only', async () => {
    const invalid = rev('e');
    const c = new RolloutCoordinator({
      store,
      name: 'n1',
      plan: async (r) => {
        if (r === invalid) {
          const { ValidationError } = await import('../../../src/desired/diagnostics.js');
          throw new ValidationError([]);
        }
        return oneNodeWaves;
      },
    });
    const s = await c.step(invalid);
    expect(s).toMatchObject({ phase: 'Progressing', waves: oneNodeWaves.waves });
    expect(await targets()).toEqual({ n1: invalid, n2: R1, n3: R1 });
  });

  it('waits on a node whose agent is gone in the middle of its wave, and carries on when it returns', async () => {
    const c = coordinator();
    await c.step(R2);
    await report('n1', R2);
    await c.step(R2);
    await leases[1]!.close(); // n2's agent dies before applying
    await waitLeases(client, 2);
    let s = await c.step(R2);
    expect(s).toMatchObject({ wave: 1, nodes: { n2: { phase: 'Updating' } } });
    expect(s.nodes.n2!.message).toMatch(/agent gone/);
    s = await c.step(R2);
    expect(s.wave).toBe(1);
    expect(await targets()).toMatchObject({ n3: R1 });
    leases[1] = startNodeLease(client, 'n2', 5);
    await report('n2', R2);
    s = await c.step(R2);
    expect(s.wave).toBe(2);
  });

  it('skips a suspended and a pinned node, and targets them at the revision once it completed', async () => {
    await store.suspend('n2', by, true);
    await store.setPin('n3', { ...by, revision: R1 });
    const c = coordinator();
    await c.step(R2);
    await report('n1', R2);
    const s = await c.step(R2);
    expect(s.phase).toBe('Completed');
    expect(s.nodes.n2).toMatchObject({ phase: 'Skipped', message: expect.stringMatching(/^suspended by ops@test/) });
    expect(s.nodes.n3).toMatchObject({ phase: 'Skipped', message: expect.stringMatching(/^pinned to 111111111111/) });
    expect(await targets()).toEqual({ n1: R2, n2: R2, n3: R2 });
    // What each agent's gate answers: the suspended one stays, the pinned one keeps its pin.
    expect(await new EtcdRevisionGate(client, 'n2').target(R2)).toMatchObject({ suspended: { by: 'ops@test' } });
    expect(await new EtcdRevisionGate(client, 'n3').target(R2)).toMatchObject({ rev: R1, pinned: { revision: R1 } });
    await store.unsuspend('n2');
    expect(await new EtcdRevisionGate(client, 'n2').target(R3)).toMatchObject({ rev: R2, suspended: null });
  });

  it('updates at most maxUnavailable nodes of a wave at once', async () => {
    plans.set(R2, { waves: [['n1', 'n2', 'n3']], maxUnavailable: [2], pauseMs: 0 });
    const c = coordinator();
    let s = await c.step(R2);
    expect(Object.values(s.nodes).map((n) => n.phase)).toEqual(['Updating', 'Updating', 'Pending']);
    await report('n2', R2);
    s = await c.step(R2);
    expect(Object.values(s.nodes).map((n) => n.phase)).toEqual(['Updating', 'Ready', 'Updating']);
  });

  it('pauses between waves for the declared time, and while a user paused it', async () => {
    plans.set(R2, { ...oneNodeWaves, pauseMs: 30_000 });
    const c = coordinator();
    await c.step(R2);
    await report('n1', R2);
    expect(await c.step(R2)).toMatchObject({ phase: 'Pausing', wave: 0 });
    clock += 29_000;
    expect((await c.step(R2)).phase).toBe('Pausing');
    await store.pause(by);
    clock += 2_000;
    let s = await c.step(R2);
    expect(s).toMatchObject({ phase: 'Progressing', wave: 1, nodes: { n2: { phase: 'Pending' } } });
    await store.resume();
    s = await c.step(R2);
    expect(s.nodes.n2!.phase).toBe('Updating');
  });

  it('aborts on request: the nodes that had the revision go back, and a new coordinator carries on from etcd', async () => {
    await coordinator('n1').step(R2);
    await report('n1', R2);
    await coordinator('n1').step(R2);
    await store.requestAbort(by);
    const s = await coordinator('n3').step(R2);
    expect(s).toMatchObject({ phase: 'Aborted', coordinator: 'n3', halted: { reason: 'Aborted' } });
    expect(s.halted!.message).toBe(`aborted by ops@test at ${by.at}`);
    expect(await targets()).toEqual({ n1: R1, n2: R1, n3: R1 });
    expect(await store.abortRequest()).toBeNull();
  });

  it('drops the target of a node the new commit no longer declares', async () => {
    plans.set(R2, { waves: [['n1'], ['n2']], maxUnavailable: [1, 1], pauseMs: 0 });
    await coordinator().step(R2);
    expect(await targets()).toEqual({ n1: R2, n2: R1 });
  });

  it('follows the head at once when the Cluster declares no rollout: every target is removed', async () => {
    plans.set(R2, null);
    expect((await coordinator().step(R2)).phase).toBe('Completed');
    expect(await targets()).toEqual({});
    expect(await new EtcdRevisionGate(client, 'n1').target(R3)).toMatchObject({ rev: R3, target: null });
  });

  it('elects one coordinator among the agents, and another takes over when it stops', async () => {
    plans.set(R2, oneNodeWaves);
    const clients = [0, 1].map(() => new Etcd3({ hosts: [etcd.endpoint] }));
    const elected = clients.map((cl, i) =>
      startElectedCoordinator({
        client: cl,
        name: `n${i + 1}`,
        coordinator: new RolloutCoordinator({
          store: new RolloutStore(cl),
          name: `n${i + 1}`,
          plan: async () => oneNodeWaves,
        }),
        head: async () => R2,
        intervalMs: 50,
      }),
    );
    try {
      await until(async () => elected.some((e) => e.leading) && (await store.state())?.revision === R2);
      expect(elected.filter((e) => e.leading)).toHaveLength(1);
      const leader = elected.findIndex((e) => e.leading);
      await elected[leader]!.close();
      await until(async () => elected[1 - leader]!.leading);
      await report('n1', R2);
      await until(async () => (await store.state())?.wave === 1);
      expect((await store.state())?.coordinator).toBe(`n${2 - leader}`);
    } finally {
      for (const e of elected) await e.close();
      for (const cl of clients) cl.close();
    }
  });
});

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function waitLeases(client: Etcd3, n: number): Promise<void> {
  const { liveNodes } = await import('../../../src/reconciler/cluster/node-lease.js');
  await until(async () => (await liveNodes(client)).size === n);
}
