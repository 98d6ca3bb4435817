import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ObserveHub,
  startObserveServer,
  type ObservedLine,
  type ObserveServer,
} from '../../../src/reconciler/agent/index.js';
import {
  agentEndpoints,
  AgentNotFoundError,
  followAgents,
  observeEntry,
} from '../../../src/reconciler/cluster/agent-directory.js';
import { startNodeLease, type NodeLease } from '../../../src/reconciler/cluster/node-lease.js';
import { gitwire } from '../../support/cli.js';
import { startEtcd, type EtcdServer } from '../../support/etcd-server.js';
import { allowed, dropped, identities } from './observe-events.js';

// Three agents' observe servers on loopback, registered in a real etcd under their node leases.

const TOKEN = 'directory-test-token';
const NODES = ['node-a', 'node-b', 'node-c'];

interface FakeAgent {
  hub: ObserveHub;
  server: ObserveServer;
  lease: NodeLease;
}

let etcd: EtcdServer;
let client: Etcd3;
const agents = new Map<string, FakeAgent>();

async function startAgent(node: string): Promise<FakeAgent> {
  const hub = new ObserveHub();
  const server = await startObserveServer({
    addr: '127.0.0.1:0',
    token: TOKEN,
    node,
    hub,
    identities: () => identities,
    lostEvents: () => 0,
    flows: async () => [],
  });
  const lease = startNodeLease(client, node, 10, () => {}, observeEntry(node, server.url));
  const agent = { hub, server, lease };
  agents.set(node, agent);
  return agent;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: [etcd.endpoint] });
  for (const node of NODES) await startAgent(node);
  await until('three registered agents', async () => (await agentEndpoints(client)).size === 3);
}, 60_000);

afterAll(async () => {
  for (const a of agents.values()) {
    await a.lease.close();
    await a.server.close();
  }
  client?.close();
  await etcd?.stop();
});

describe('agents found through etcd', () => {
  it('lists each agent with the URL it registered under its lease', async () => {
    const endpoints = await agentEndpoints(client);
    expect([...endpoints.keys()].sort()).toEqual(NODES);
    expect(endpoints.get('node-b')).toBe(agents.get('node-b')!.server.url);
  });

  it('merges every node into one stream, filtered by each agent; a node that goes away is reported and the others keep streaming', async () => {
    const lines: ObservedLine[] = [];
    const notes: string[] = [];
    const follower = await followAgents({
      etcd: client,
      token: TOKEN,
      filter: { type: ['drop'] },
      onLine: (l) => lines.push(l),
      onNote: (n) => notes.push(n),
      pollMs: 100,
    });
    try {
      await until('every hub observed', () => NODES.every((n) => agents.get(n)!.hub.observers === 1));
      for (const n of NODES) {
        agents.get(n)!.hub.publish(allowed());
        agents.get(n)!.hub.publish(dropped());
      }
      await until('three drops', () => lines.length >= 3);
      expect(lines.map((l) => [l.node, l.kind === 'event' && l.event.event.type]).sort()).toEqual([
        ['node-a', 'drop'],
        ['node-b', 'drop'],
        ['node-c', 'drop'],
      ]);

      const b = agents.get('node-b')!;
      await b.lease.close();
      await b.server.close();
      agents.delete('node-b');
      await until('node-b reported gone', () => notes.some((n) => /node node-b: left/.test(n)));
      expect(notes.some((n) => /node node-b: (its agent ended the stream|stream failed)/.test(n))).toBe(true);
      lines.length = 0;
      agents.get('node-a')!.hub.publish(dropped());
      agents.get('node-c')!.hub.publish(dropped());
      await until('two more drops', () => lines.length >= 2);
      expect(lines.map((l) => l.node).sort()).toEqual(['node-a', 'node-c']);

      // It comes back: followed again.
      const back = await startAgent('node-b');
      await until('node-b followed again', () => back.hub.observers === 1);
      back.hub.publish(dropped());
      await until('node-b streams', () => lines.some((l) => l.node === 'node-b'));
    } finally {
      await follower.close();
    }
  }, 60_000);

  it('refuses --node for a node with no agent registered', async () => {
    const follow = followAgents({ etcd: client, token: TOKEN, node: 'node-z', onLine: () => {}, onNote: () => {} });
    await expect(follow).rejects.toThrow(AgentNotFoundError);
  });

  it('gitwire monitor --all-nodes prints the three nodes in one stream, node-tagged and filtered', async () => {
    const args = ['monitor', '--all-nodes', '--etcd', etcd.endpoint, '--type', 'drop', '--count', '3'];
    const running = gitwire(args, { env: { GITWIRE_OBSERVE_TOKEN: TOKEN } });
    await until('the CLI observes every node', () => NODES.every((n) => agents.get(n)!.hub.observers === 1), 30_000);
    for (const n of NODES) {
      agents.get(n)!.hub.publish(allowed());
      agents.get(n)!.hub.publish(dropped());
    }
    const res = await running;
    expect(res.status).toBe(0);
    const out = res.stdout.trim().split('\n');
    expect(out).toHaveLength(3);
    expect(out.map((l) => /^\[(node-[abc])\] /.exec(l)?.[1]).sort()).toEqual(NODES);
    for (const l of out) expect(l).toMatch(/ DROP denied-default ingress .*policies\/rule1\.yaml:14/);
  }, 60_000);

  it('gitwire monitor without the token says so', async () => {
    const res = await gitwire(['monitor', '--node', 'node-a', '--etcd', etcd.endpoint, '--count', '1'], {
      env: { GITWIRE_OBSERVE_TOKEN: '' },
    });
    expect(res.stderr).toMatch(/node node-a: .*refused the token \(401\)/);
    expect(res.status).toBe(1);
  }, 60_000);
});
