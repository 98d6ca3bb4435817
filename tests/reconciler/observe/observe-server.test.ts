import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  eventText,
  fetchAgentFlows,
  L7VerdictFeed,
  ObserveHub,
  ObserveRequestError,
  startObserveServer,
  streamAgentEvents,
  type ObservedLine,
  type ObserveServer,
} from '../../../src/reconciler/agent/index.js';
import type { FlowRecord } from '../../../src/reconciler/flows/index.js';
import { makeTempDir, removeDir } from '../../support/git-fixtures.js';
import { allowed, DEATHSTAR, dropped, identities, TIEFIGHTER, XWING } from './observe-events.js';

const TOKEN = 'observe-test-token';
const dir = makeTempDir('gitwire-observe-');
afterAll(() => removeDir(dir));

const flows: FlowRecord[] = [
  {
    srcIdentity: XWING,
    dstIdentity: DEATHSTAR,
    port: 80,
    protocol: 6,
    verdict: 'deny',
    count: 3,
    firstSeen: new Date(Date.now() - 7200_000),
    lastSeen: new Date(Date.now() - 60_000),
  },
  {
    srcIdentity: TIEFIGHTER,
    dstIdentity: DEATHSTAR,
    port: 80,
    protocol: 6,
    verdict: 'allow',
    count: 9,
    firstSeen: new Date(Date.now() - 7200_000),
    lastSeen: new Date(Date.now() - 3600_000),
  },
];

let server: ObserveServer | null = null;
let lost = 0;
let hub = new ObserveHub();

async function start(extra: { l7FeedPath?: string } = {}): Promise<ObserveServer> {
  hub = new ObserveHub();
  server = await startObserveServer({
    addr: '127.0.0.1:0',
    token: TOKEN,
    node: 'node-a',
    hub,
    identities: () => identities,
    lostEvents: () => lost,
    flows: async (since) => flows.filter((f) => since === null || f.lastSeen.getTime() >= Date.now() - since * 1000),
    lostIntervalMs: 50,
    ...extra,
  });
  return server;
}

afterEach(async () => {
  await server?.close();
  server = null;
});

/** Streams until `count` lines arrived (publishing with `publish` once the stream is open). */
async function collect(
  url: string,
  filter: Parameters<typeof streamAgentEvents>[0]['filter'],
  count: number,
  publish: () => void,
): Promise<ObservedLine[]> {
  const got: ObservedLine[] = [];
  const abort = new AbortController();
  const streaming = streamAgentEvents({
    endpoint: url,
    token: TOKEN,
    ...(filter ? { filter } : {}),
    signal: abort.signal,
    onLine: (l) => {
      got.push(l);
      if (got.length >= count) abort.abort();
    },
  });
  while (hub.observers === 0) await new Promise((r) => setTimeout(r, 5));
  publish();
  await streaming;
  return got;
}

describe('the agent observe server', () => {
  it('refuses a request without the token, or with another, with 401', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/v1/events`)).status).toBe(401);
    const wrong = await fetch(`${url}/v1/flows`, { headers: { Authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expect(fetchAgentFlows(url, 'nope', null)).rejects.toThrow(ObserveRequestError);
    await expect(fetchAgentFlows(url, null, null)).rejects.toMatchObject({ status: 401 });
  });

  it('streams the events as monitor prints them, tagged with the node, filtered by the agent', async () => {
    const { url } = await start();
    const got = await collect(url, { type: ['drop'], fromLabels: ['class=xwing'] }, 2, () => {
      hub.publish(allowed());
      hub.publish(dropped());
      hub.publish(allowed());
      hub.publish(dropped(new Date(1_700_000_000_500)));
    });
    expect(got.map((l) => l.kind)).toEqual(['event', 'event']);
    const first = got[0]!;
    if (first.kind !== 'event') throw new Error('not an event');
    expect(first.node).toBe('node-a');
    expect(JSON.parse(first.json)).toMatchObject({ node: 'node-a', type: 'drop', srcIdentity: XWING });
    // Decoded back, it renders exactly as the local monitor renders the original.
    expect(eventText(first.event)).toBe(eventText(dropped()));
    expect(eventText(first.event)).toMatch(
      /default deny; ingress enforced by policy default\/rule1 \(policies\/rule1\.yaml:14\)/,
    );
  });

  it('reports events lost to a full ring buffer in the stream', async () => {
    const { url } = await start();
    lost = 5;
    const got = await collect(url, { type: ['drop'] }, 2, () => {
      lost = 12;
      hub.publish(dropped());
    });
    const lostLine = got.find((l) => l.kind === 'lost');
    expect(lostLine).toMatchObject({ kind: 'lost', node: 'node-a', source: 'ring-buffer', lost: 7 });
    lost = 0;
  });

  it('streams as server-sent events when asked', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/v1/events?type=drop`, {
      headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'text/event-stream' },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    while (hub.observers === 0) await new Promise((r) => setTimeout(r, 5));
    hub.publish(dropped());
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    await reader.cancel();
    expect(new TextDecoder().decode(value)).toMatch(/^data: \{"node":"node-a","time":.*"type":"drop".*\}\n\n$/);
  });

  it('passes the L7 verdicts of the agent feed unless the type filter leaves them out', async () => {
    const feed = await L7VerdictFeed.listen(join(dir, 'n.l7.sock'));
    try {
      const { url } = await start({ l7FeedPath: join(dir, 'n.l7.sock') });
      const verdict = {
        direction: 'ingress' as const,
        identity: TIEFIGHTER,
        method: 'GET',
        path: '/v1/request-landing',
        status: 200,
        verdict: 'forwarded' as const,
        rule: null,
        mismatches: [],
        reason: null,
      };
      const got = await collect(url, { type: ['l7'] }, 1, () => {
        hub.publish(dropped());
        // The server's connection to the feed is accepted asynchronously: publish until it is there.
        const t = setInterval(() => feed.publish(verdict), 20);
        setTimeout(() => clearInterval(t), 2000);
      });
      expect(got[0]).toMatchObject({
        kind: 'l7',
        node: 'node-a',
        verdict: { verdict: { path: '/v1/request-landing' } },
      });
    } finally {
      await feed.close();
    }
  });

  it('refuses a malformed filter with 400 and its code', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/v1/events?type=everything`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'E_OBSERVE_QUERY', message: expect.stringMatching(/type/) });
    await expect(
      streamAgentEvents({ endpoint: url, token: TOKEN, filter: { port: 70000 }, onLine: () => {} }),
    ).rejects.toThrow(/HTTP 400: port/);
  });

  it('returns the flow records seen since the time asked, with their dates', async () => {
    const { url } = await start();
    const recent = await fetchAgentFlows(url, TOKEN, 1800);
    expect(recent).toHaveLength(1);
    expect(recent[0]).toMatchObject({ srcIdentity: XWING, verdict: 'deny', count: 3 });
    expect(recent[0]!.lastSeen).toEqual(flows[0]!.lastSeen);
    expect(await fetchAgentFlows(url, TOKEN, null)).toHaveLength(2);
    const bad = await fetch(`${url}/v1/flows?since=-3`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
  });
});
