import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  labelSetKey,
  stableHash32,
  MIN_GLOBAL_IDENTITY,
  MAX_GLOBAL_IDENTITY,
} from '../../../src/desired/identity/index.js';
import { EtcdIdentityAllocator, IDENTITY_PREFIX } from '../../../src/reconciler/cluster/etcd-identity-allocator.js';
import { startEtcd, type EtcdServer } from '../../support/etcd-server.js';

const ships = (n: number, extra = ''): string[][] =>
  Array.from({ length: n }, (_, i) => [`k8s:class=ship${i}${extra}`, 'k8s:io.kubernetes.pod.namespace=default']);

describe('EtcdIdentityAllocator against a real etcd', () => {
  let etcd: EtcdServer;
  const clients: Etcd3[] = [];
  const client = (): Etcd3 => {
    const c = new Etcd3({ hosts: [etcd.endpoint] });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await etcd?.stop();
  });

  it('gives the same labels the same number on every node, even when nodes race', async () => {
    const sets = ships(200, '-race');
    const nodes = [1, 2, 3].map(() => new EtcdIdentityAllocator(client()));
    const tables = await Promise.all(nodes.map((n) => n.allocate([...sets].reverse())));
    expect(tables[0]!.size).toBe(200);
    expect(new Set(tables[0]!.values()).size).toBe(200);
    for (const t of tables.slice(1)) expect([...t]).toEqual([...tables[0]!]);
  });

  it('keeps every number across a restart and when more label sets arrive', async () => {
    const before = await new EtcdIdentityAllocator(client()).allocate(ships(50, '-keep'));
    const after = await new EtcdIdentityAllocator(client()).allocate([...ships(50, '-keep'), ...ships(80, '-new')]);
    for (const [key, id] of before) expect(after.get(key)).toBe(id);
    expect(new Set(after.values()).size).toBe(130);
  });

  it('moves a new label set past a number another set holds, and never moves the holder', async () => {
    const c = client();
    const labels = ['k8s:class=collider'];
    const key = labelSetKey(labels);
    const span = MAX_GLOBAL_IDENTITY - MIN_GLOBAL_IDENTITY + 1;
    const preferred = MIN_GLOBAL_IDENTITY + (stableHash32(key, 'global identities') % span);
    await c.put(`${IDENTITY_PREFIX}id/${preferred}`).value('k8s:class=holder;');
    await c.put(`${IDENTITY_PREFIX}labels/k8s:class=holder;`).value(String(preferred));
    const table = await new EtcdIdentityAllocator(c).allocate([labels, ['k8s:class=holder']]);
    expect(table.get('k8s:class=holder;')).toBe(preferred);
    expect(table.get(key)).not.toBe(preferred);
    expect(await c.get(`${IDENTITY_PREFIX}id/${table.get(key)}`).string()).toBe(key);
  });

  it('starts from the number the local allocator would give, so a cluster keeps its ids when etcd is added', async () => {
    const labels = ['k8s:class=fresh-start'];
    const key = labelSetKey(labels);
    const span = MAX_GLOBAL_IDENTITY - MIN_GLOBAL_IDENTITY + 1;
    const table = await new EtcdIdentityAllocator(client()).allocate([labels]);
    expect(table.get(key)).toBe(MIN_GLOBAL_IDENTITY + (stableHash32(key, 'global identities') % span));
  });

  it('keeps compiling known labels while etcd is away, and refuses new ones as transient until it returns', async () => {
    const own = await startEtcd();
    const c = new Etcd3({ hosts: [own.endpoint], dialTimeout: 1000 });
    clients.push(c);
    const allocator = new EtcdIdentityAllocator(c);
    const before = await allocator.allocate(ships(5, '-outage'));
    await own.stop();
    expect(await allocator.allocate(ships(5, '-outage'))).toEqual(before);
    await expect(allocator.allocate(ships(6, '-outage'))).rejects.toMatchObject({
      code: 'E_IDENTITY_STORE_UNREACHABLE',
      errorKind: 'transient',
    });
  }, 60_000);
});
