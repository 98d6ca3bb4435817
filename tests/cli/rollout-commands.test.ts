import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolloutCoordinator, RolloutStore, type RolloutPlan } from '../../src/reconciler/rollout/index.js';
import { gitwire } from '../support/cli.js';
import { startEtcd, type EtcdServer } from '../support/etcd-server.js';

const [R1, R2] = ['1', '2'].map((c) => c.repeat(40)) as [string, string];
const plan: RolloutPlan = { waves: [['n1'], ['n2', 'n3']], maxUnavailable: [1, 2], pauseMs: 0 };

describe('gitwire rollout, suspend, resume, pin and unpin against a real etcd', () => {
  let etcd: EtcdServer;
  let client: Etcd3;
  let store: RolloutStore;
  const cli = (...args: string[]) => gitwire([...args, '--etcd-endpoints', etcd.endpoint]);

  beforeAll(async () => {
    etcd = await startEtcd();
    client = new Etcd3({ hosts: [etcd.endpoint] });
    store = new RolloutStore(client);
  });
  afterAll(async () => {
    client?.close();
    await etcd?.stop();
  });

  it('records suspensions and pins with who and when, and lifts them', async () => {
    let r = await cli('suspend', '--node', 'n2', '--by', 'leia@alderaan');
    expect(r.status, r.stderr).toBe(0);
    expect(await store.suspension('n2')).toMatchObject({ by: 'leia@alderaan', scope: 'node', driftRepair: true });
    r = await cli('suspend', '--all-nodes', '--no-drift-repair');
    expect(r.status, r.stderr).toBe(0);
    expect(await store.suspension('n3')).toMatchObject({ scope: 'cluster', driftRepair: false, by: /@/ });
    expect((await cli('resume', '--all-nodes')).status).toBe(0);
    expect((await cli('resume', '--node', 'n2')).status).toBe(0);
    expect(await store.suspension('n2')).toBeNull();
    r = await cli('resume', '--node', 'n2');
    expect([r.status, r.stdout]).toEqual([1, 'n2 was not suspended\n']);

    r = await cli('pin', '--node', 'n3', '--rev', R1, '--by', 'han@falcon');
    expect(r.status, r.stderr).toBe(0);
    expect(await store.pin('n3')).toMatchObject({ revision: R1, by: 'han@falcon' });
    expect((await cli('unpin', '--node', 'n3')).status).toBe(0);
    expect(await store.pin('n3')).toBeNull();
  });

  it('refuses a suspend that names neither a node nor the cluster, rollout without etcd, and a pin to a short SHA without a repository', async () => {
    const r = await cli('suspend');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('give --node NAME or --all-nodes');
    const noEtcd = await gitwire(['rollout', 'status']);
    expect(noEtcd.status).toBe(2);
    expect(noEtcd.stderr).toContain("required option '--etcd-endpoints <urls>'");
    const p = await cli('pin', '--node', 'n1', '--rev', 'abc123');
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('give a full commit SHA, or --repo');
  });

  it('shows the rollout as a table and JSON, and pauses, resumes and aborts it', async () => {
    expect((await cli('rollout', 'status')).status).toBe(2);
    const c = new RolloutCoordinator({ store, name: 'n1', plan: async () => plan });
    await c.step(R1);
    await c.step(R2);
    let r = await cli('rollout', 'status');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^rollout of 222222222222: Progressing, wave 1\/2, previous 111111111111, coordinator n1$/m,
    );
    expect(r.stdout).toMatch(/^1 +n1 +Updating /m);
    expect(r.stdout).toMatch(/^2 +n3 +Pending /m);
    expect((await cli('rollout', 'pause', '--by', 'luke@tatooine')).status).toBe(0);
    r = await cli('rollout', 'status', '-o', 'json');
    expect(JSON.parse(r.stdout)).toMatchObject({
      state: { revision: R2, phase: 'Progressing' },
      paused: { by: 'luke@tatooine' },
    });
    expect((await cli('rollout', 'resume')).status).toBe(0);
    expect(await store.paused()).toBeNull();
    expect((await cli('rollout', 'abort', '--by', 'luke@tatooine')).status).toBe(0);
    await c.step(R2);
    r = await cli('rollout', 'status');
    expect(r.stdout).toMatch(/^aborted: aborted by luke@tatooine at /m);
    expect(r.stdout).toMatch(/^1 +n1 +RolledBack /m);
    expect(Object.fromEntries(await store.targets())).toEqual({ n1: R1, n2: R1, n3: R1 });
  });
});
