import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deathstarRules,
  seedPolicy,
  SHIP_ADDRESS,
  startDeathstar,
  startProxy,
  starWarsModel,
  type ProxyRig,
  type Ship,
  type UpstreamHandler,
} from './proxy-fixture.js';

type Rules = Parameters<typeof starWarsModel>[1];

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A deathstar and an ingress proxy enforcing the seed policy (unless `seed` is false) plus `rules`. */
async function setup(rules: Rules = {}, handler?: UpstreamHandler, seed = true) {
  const deathstar = await startDeathstar(handler);
  cleanups.push(() => new Promise((r) => deathstar.server.close(r)));
  const compiled = deathstarRules(starWarsModel(seed ? { 'policies/l7.yaml': seedPolicy } : {}, rules), deathstar.port);
  const rig = await startProxy(compiled.sets, compiled.identity, deathstar.port);
  cleanups.push(() => rig.close());
  return { deathstar, rig, ...compiled };
}

function client(rig: ProxyRig, ship: Ship = 'tiefighter'): Client {
  const c = new Client(`http://127.0.0.1:${rig.port}`, { localAddress: SHIP_ADDRESS[ship] });
  cleanups.push(() => c.close());
  return c;
}

async function send(c: Client, method: string, path: string, headers: Record<string, string> = {}) {
  const res = await c.request({ method: method as 'GET', path, headers });
  return `${res.statusCode} ${await res.body.text()}`;
}

const toDeathstar = (http: object[], from: Record<string, string> = { class: 'tiefighter' }) => ({
  endpointSelector: { matchLabels: { class: 'deathstar' } },
  ingress: [
    {
      fromEndpoints: [{ matchLabels: from }],
      toPorts: [{ ports: [{ port: '80', protocol: 'TCP' as const }], rules: { http } }],
    },
  ],
});

describe('L7 proxy: rules', () => {
  it('combines two policies for one port: each allows its own request and is named by the event', async () => {
    const { rig } = await setup({ status: toDeathstar([{ method: 'GET', path: '/v1/status' }]) });
    const c = client(rig);
    expect(await send(c, 'POST', '/v1/request-landing')).toBe('200 Ship landed');
    expect(rig.events.at(-1)!.rule!.name).toBe('rule1');
    expect(await send(c, 'GET', '/v1/status')).toBe('200 echo 0');
    expect(rig.events.at(-1)!.rule).toMatchObject({ name: 'status', path: 'spec.ingress[0].toPorts[0].rules.http[0]' });
    expect(await send(c, 'GET', '/v1/request-landing')).toBe('403 Access denied');
  });

  it('checks header presence and value', async () => {
    const { rig } = await setup({
      permit: toDeathstar([{ method: 'GET', path: '/v1/permit', headers: ['X-Has-Permit: yes', 'X-Pilot'] }]),
    });
    const c = client(rig);
    expect(await send(c, 'GET', '/v1/permit', { 'x-has-permit': 'yes', 'x-pilot': 'vader' })).toBe('200 echo 0');
    expect(await send(c, 'GET', '/v1/permit', { 'x-has-permit': 'no', 'x-pilot': 'vader' })).toBe('403 Access denied');
    expect(await send(c, 'GET', '/v1/permit', { 'x-has-permit': 'yes' })).toBe('403 Access denied');
  });

  it('applies headerMatches mismatch actions: REPLACE, DELETE and ADD rewrite the request, LOG lets it through', async () => {
    const audited = toDeathstar([
      {
        method: 'GET',
        path: '/v1/audited',
        headerMatches: [
          { name: 'X-Clearance', value: 'high', mismatch: 'REPLACE' },
          { name: 'X-Debug', value: 'off', mismatch: 'DELETE' },
          { name: 'X-Tag', value: 'empire', mismatch: 'ADD' },
          { name: 'X-Trace', mismatch: 'LOG' },
          { name: 'X-Strict', value: 'on' },
        ],
      },
    ]);
    const { rig, deathstar } = await setup({ audited });
    const c = client(rig);
    const sent = { 'x-clearance': 'low', 'x-debug': 'on', 'x-tag': 'rebel', 'x-strict': 'on' };
    expect(await send(c, 'GET', '/v1/audited', sent)).toBe('200 echo 0');
    const seen = deathstar.received.at(-1)!.headers;
    expect([seen['x-clearance'], seen['x-debug'], seen['x-tag'], seen['x-strict']]).toEqual([
      'high',
      undefined,
      'rebel, empire',
      'on',
    ]);
    expect(rig.events.at(-1)!.mismatches).toEqual(['x-clearance', 'x-debug', 'x-tag', 'x-trace']);
    // a headerMatch without a mismatch action still fails the rule
    expect(await send(c, 'GET', '/v1/audited', { ...sent, 'x-strict': 'off' })).toBe('403 Access denied');
  });

  it('swaps rules at runtime without closing an established connection that stays allowed', async () => {
    const { rig, deathstar } = await setup();
    let connects = 0;
    const c = client(rig);
    c.on('connect', () => connects++);
    expect(await send(c, 'POST', '/v1/request-landing')).toBe('200 Ship landed');
    expect(await send(c, 'GET', '/v1/status')).toBe('403 Access denied');

    const status = { status: toDeathstar([{ method: 'GET', path: '/v1/status' }]) };
    rig.proxy.setRules(deathstarRules(starWarsModel({ 'policies/l7.yaml': seedPolicy }, status), deathstar.port).sets);
    expect(await send(c, 'POST', '/v1/request-landing')).toBe('200 Ship landed');
    expect(await send(c, 'GET', '/v1/status')).toBe('200 echo 0');

    rig.proxy.setRules(deathstarRules(starWarsModel({}, status), deathstar.port).sets);
    expect(await send(c, 'POST', '/v1/request-landing')).toBe('403 Access denied');
    expect(await send(c, 'GET', '/v1/status')).toBe('200 echo 0');
    expect(connects).toBe(1);
  });
});

/** A request with node:http, so the test controls the body's chunks and the Expect handshake. */
function rawRequest(rig: ProxyRig, method: string, path: string, headers: Record<string, string | number>) {
  return httpRequest({
    port: rig.port,
    host: '127.0.0.1',
    localAddress: SHIP_ADDRESS.tiefighter,
    method,
    path,
    headers,
    agent: false,
  });
}

function responseOf(req: ReturnType<typeof rawRequest>): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ res, body }));
      res.on('error', reject);
    });
  });
}

describe('L7 proxy: bodies', () => {
  it('streams a chunked request body to the deathstar and its response back, without waiting for either to end', async () => {
    let upstreamGotData!: () => void;
    const firstChunkArrived = new Promise<void>((r) => (upstreamGotData = r));
    let clientGotData!: () => void;
    const firstResponseChunk = new Promise<void>((r) => (clientGotData = r));
    let total = 0;
    const { rig } = await setup({ upload: toDeathstar([{ method: 'POST', path: '/v1/plans' }]) }, (req, res) => {
      if (req.url !== '/v1/plans') return false;
      expect(req.headers['transfer-encoding']).toBe('chunked');
      req.on('data', (c: Buffer) => {
        total += c.length;
        upstreamGotData();
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(`got ${total};`);
        void firstResponseChunk.then(() => res.end('done'));
      });
      return true;
    });
    const req = rawRequest(rig, 'POST', '/v1/plans', { 'transfer-encoding': 'chunked' });
    const response = new Promise<string>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
          clientGotData();
        });
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      });
    });
    const chunk = Buffer.alloc(256 * 1024, 'x');
    req.write(chunk);
    // The rest is sent only once the deathstar has read the start: a proxy that buffered the body would hang here.
    await firstChunkArrived;
    for (let i = 0; i < 31; i++) req.write(chunk);
    req.end();
    expect(await response).toBe(`200 got ${32 * chunk.length};done`);
  });

  it('answers Expect: 100-continue itself: 100 then the forwarded body for an allowed request, 403 and close for a denied one', async () => {
    const { rig, deathstar } = await setup({ upload: toDeathstar([{ method: 'PUT', path: '/v1/plans' }]) });
    const body = 'death star plans';
    const allowed = rawRequest(rig, 'PUT', '/v1/plans', { expect: '100-continue', 'content-length': body.length });
    let continued = false;
    allowed.on('continue', () => {
      continued = true;
      allowed.end(body);
    });
    const ok = await responseOf(allowed);
    expect([continued, ok.res.statusCode, ok.body]).toEqual([true, 200, `echo ${body.length}`]);
    expect(deathstar.received.at(-1)!.headers.expect).toBeUndefined();

    const denied = rawRequest(rig, 'PUT', '/v1/exhaust-port', {
      expect: '100-continue',
      'content-length': body.length,
    });
    denied.on('continue', () => denied.end(body));
    denied.flushHeaders();
    const no = await responseOf(denied);
    expect([no.res.statusCode, no.body, no.res.headers.connection]).toEqual([403, 'Access denied', 'close']);
    denied.destroy();
  });

  it('cuts the client off when the deathstar closes in the middle of a body, so a truncated body never looks complete', async () => {
    const { rig } = await setup({ plans: toDeathstar([{ method: 'GET', path: '/v1/plans' }]) }, (req, res) => {
      if (req.url !== '/v1/plans') return false;
      res.writeHead(200, { 'content-length': 1000 });
      res.write('only part of the plans', () => res.socket?.destroy());
      return true;
    });
    const c = client(rig);
    const res = await c.request({ method: 'GET', path: '/v1/plans' });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    await expect.poll(() => rig.events.at(-1)?.verdict).toBe('error');
    expect(rig.events.at(-1)!.reason).toMatch(/^upstream: /);
  });

  it('cancels the upstream request when the client leaves in the middle of a response', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const { rig } = await setup({ plans: toDeathstar([{ method: 'GET', path: '/v1/plans' }]) }, (req, res) => {
      if (req.url !== '/v1/plans') return false;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part');
      res.on('close', () => upstreamClosed());
      return true;
    });
    const req = rawRequest(rig, 'GET', '/v1/plans', {});
    req.on('response', (res) => res.once('data', () => req.destroy()));
    req.on('error', () => undefined);
    req.end();
    // The deathstar never ends its response: only a cancelled upstream request closes it.
    await closed;
  });

  it('answers 502 when the deathstar closes before any response', async () => {
    const { rig } = await setup({ plans: toDeathstar([{ method: 'GET', path: '/v1/plans' }]) }, (req) => {
      if (req.url !== '/v1/plans') return false;
      req.socket.destroy();
      return true;
    });
    expect(await send(client(rig), 'GET', '/v1/plans')).toBe('502 Bad Gateway');
    expect(rig.events.at(-1)).toMatchObject({ verdict: 'error', status: 502, rule: { name: 'plans' } });
  });
});
