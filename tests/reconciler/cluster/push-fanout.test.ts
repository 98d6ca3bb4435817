import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGenericPush } from '../../../src/reconciler/cluster/push-webhook.js';
import { startPushFanout, type PushFanout } from '../../../src/reconciler/cluster/push-fanout.js';
import { startEtcd, type EtcdServer } from '../../support/etcd-server.js';

const SECRET = 'fanout-secret';

async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20)))
    if (check()) return true;
  return check();
}

describe('converge on push: one webhook receiver, every agent triggered through an etcd watch', () => {
  let etcd: EtcdServer;
  const fanouts: PushFanout[] = [];
  const clients: Etcd3[] = [];
  const triggered = [0, 0, 0];

  beforeAll(async () => {
    etcd = await startEtcd();
    for (let i = 0; i < 3; i++) {
      fanouts.push(
        await startPushFanout({
          etcd: clients[clients.push(new Etcd3({ hosts: [etcd.endpoint] })) - 1]!,
          ...(i === 0 ? { webhook: { host: '127.0.0.1', port: 0, secret: SECRET } } : {}),
          trigger: () => (triggered[i] = triggered[i]! + 1),
        }),
      );
    }
  });

  afterAll(async () => {
    for (const f of fanouts) await f.close();
    for (const c of clients) c.close();
    await etcd?.stop();
  });

  const post = (headers: Record<string, string>, body: string) =>
    fetch(`http://127.0.0.1:${fanouts[0]!.webhookPort}/hook`, { method: 'POST', headers, body });

  it('a push with a wrong signature is refused and triggers no agent', async () => {
    const push = signGenericPush('refs/heads/main', 'c'.repeat(40), 'not-the-secret');
    expect((await post(push.headers, push.body)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(triggered).toEqual([0, 0, 0]);
  });

  it('a verified push reaches all three agents, the receiver included', async () => {
    const push = signGenericPush('refs/heads/main', 'd'.repeat(40), SECRET);
    expect((await post(push.headers, push.body)).status).toBe(202);
    expect(await until(() => triggered.every((n) => n === 1))).toBe(true);
  });
});
