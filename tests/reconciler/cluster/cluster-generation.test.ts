import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GENERATION_KEY,
  readGeneration,
  watchGeneration,
  type GenerationWatch,
} from '../../../src/reconciler/cluster/cluster-generation.js';
import { EtcdIdentityAllocator } from '../../../src/reconciler/cluster/etcd-identity-allocator.js';
import { leaseKey, startNodeLease } from '../../../src/reconciler/cluster/node-lease.js';
import { startEtcd, type EtcdServer } from '../../support/etcd-server.js';

/** Resolves once `ok` holds, polling every 20 ms; fails after 10 s. */
async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('the cluster generation in a real etcd', () => {
  let etcd: EtcdServer;
  const clients: Etcd3[] = [];
  const watches: GenerationWatch[] = [];
  const client = (): Etcd3 => {
    const c = new Etcd3({ hosts: [etcd.endpoint] });
    clients.push(c);
    return c;
  };
  /** A node's agent watching the generation: every value it was given, in order. */
  const watcher = async (): Promise<number[]> => {
    const seen: number[] = [];
    watches.push(await watchGeneration(client(), (g) => seen.push(g)));
    return seen;
  };

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    for (const w of watches) await w.close();
    for (const c of clients) c.close();
    await etcd?.stop();
  });

  it('is 0 until something bumps it, then the mod revision of its key, the same on every node', async () => {
    const c = client();
    expect(await readGeneration(c)).toBe(0);
    const nodes = [await watcher(), await watcher()];
    expect(nodes).toEqual([[0], [0]]);

    await new EtcdIdentityAllocator(c).allocate([['k8s:class=xwing']]);
    const g = await readGeneration(c);
    const [kv] = (await c.get(GENERATION_KEY).exec()).kvs;
    expect(g).toBe(Number(kv!.mod_revision));
    expect(g).toBeGreaterThan(0);
    await until('both nodes saw the new generation', () => nodes.every((n) => n.at(-1) === g));
    // The identity's keys and the bump are one transaction: the same revision.
    const [id] = (await c.get('/gitwire/identities/labels/k8s:class=xwing;').exec()).kvs;
    expect(Number(id!.mod_revision)).toBe(g);
  });

  it('moves for a new identity only: labels that already have a number leave it alone', async () => {
    const c = client();
    const before = await readGeneration(c);
    await new EtcdIdentityAllocator(c).allocate([['k8s:class=xwing']]);
    expect(await readGeneration(c)).toBe(before);
    await new EtcdIdentityAllocator(c).allocate([['k8s:class=xwing'], ['k8s:class=tiefighter']]);
    expect(await readGeneration(c)).toBeGreaterThan(before);
  });

  it("moves once (not once per watcher) when a node's lease is granted, and once when it ends", async () => {
    const c = client();
    const nodes = [await watcher(), await watcher(), await watcher()];
    const before = await readGeneration(c);
    const lease = startNodeLease(client(), 'gen-node-4', 5);
    await until('a watcher bumped the generation for the new lease', async () => (await readGeneration(c)) > before);
    const joined = await readGeneration(c);
    expect(await c.get(leaseKey('gen-node-4')).string()).not.toBeNull();
    expect(JSON.parse((await c.get(GENERATION_KEY).string())!)).toMatchObject({
      cause: 'node-joined',
      detail: 'gen-node-4',
    });

    await lease.close();
    await until(
      'a watcher bumped the generation for the lease that ended',
      async () => (await readGeneration(c)) > joined,
    );
    const left = await readGeneration(c);
    expect(JSON.parse((await c.get(GENERATION_KEY).string())!)).toMatchObject({
      cause: 'node-left',
      detail: 'gen-node-4',
    });
    await until('every watcher saw it', () => nodes.every((n) => n.at(-1) === left));
    // Three watchers raced to bump it each time; the compare on the key's revision let exactly one through.
    await new Promise((r) => setTimeout(r, 300));
    expect(await readGeneration(c)).toBe(left);
    for (const n of nodes) expect(n.filter((g) => g > before)).toEqual([joined, left]);
  });
});
