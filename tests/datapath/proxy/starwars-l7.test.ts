import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProxy } from '../../../src/datapath/proxy/index.js';
import {
  deathstarRules,
  rawExchange,
  seedPolicy,
  SHIP_ADDRESS,
  startDeathstar,
  startProxy,
  starWarsModel,
  type ProxyRig,
  type Received,
  type Ship,
} from './proxy-fixture.js';

// Cilium's Star Wars L7 demo, through the proxy with real connections on loopback:
// the seed's third policy lets empire ships POST /v1/request-landing and nothing else.
let deathstar: { server: Server; port: number; received: Received[] };
let rig: ProxyRig;
let identity: (ship: Ship) => number;

beforeAll(async () => {
  deathstar = await startDeathstar();
  const rules = deathstarRules(starWarsModel({ 'policies/l7.yaml': seedPolicy }), deathstar.port);
  identity = rules.identity;
  rig = await startProxy(rules.sets, rules.identity, deathstar.port);
});

afterAll(async () => {
  await rig?.close();
  await new Promise((r) => deathstar?.server.close(r));
});

function client(ship: Ship, pipelining = 1): Client {
  return new Client(`http://127.0.0.1:${rig.port}`, { localAddress: SHIP_ADDRESS[ship], pipelining });
}

async function send(c: Client, method: string, path: string, body?: string) {
  const res = await c.request({ method: method as 'GET', path, body });
  return `${res.statusCode} ${await res.body.text()}`;
}

describe('L7 proxy: the Star Wars demo', () => {
  it('lets the tiefighter land: POST /v1/request-landing gets 200 from the deathstar, naming rule1 at file:line', async () => {
    const c = client('tiefighter');
    try {
      expect(await send(c, 'POST', '/v1/request-landing')).toBe('200 Ship landed');
    } finally {
      await c.close();
    }
    expect(deathstar.received.at(-1)!.line).toBe('POST /v1/request-landing');
    expect(rig.events.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/request-landing',
      status: 200,
      verdict: 'forwarded',
      identity: identity('tiefighter'),
      rule: { name: 'rule1', file: 'policies/l7.yaml', line: 6, path: 'spec.ingress[0].toPorts[0].rules.http[0]' },
    });
  });

  it('answers PUT /v1/exhaust-port with 403 Access denied and never forwards it', async () => {
    const before = deathstar.received.length;
    const c = client('tiefighter');
    try {
      expect(await send(c, 'PUT', '/v1/exhaust-port', 'boom')).toBe('403 Access denied');
    } finally {
      await c.close();
    }
    expect(deathstar.received.length).toBe(before);
    expect(rig.events.at(-1)).toMatchObject({ method: 'PUT', status: 403, verdict: 'denied', rule: null });
  });

  it('denies a path that only prefix-matches the rule', async () => {
    const c = client('tiefighter');
    try {
      expect(await send(c, 'POST', '/v1/request-landing/now')).toBe('403 Access denied');
      expect(await send(c, 'POST', '/v1/request-landingX')).toBe('403 Access denied');
      expect(await send(c, 'POST', '/x/v1/request-landing')).toBe('403 Access denied');
    } finally {
      await c.close();
    }
  });

  it('denies a peer the rules do not name (the xwing)', async () => {
    const c = client('xwing');
    try {
      expect(await send(c, 'POST', '/v1/request-landing')).toBe('403 Access denied');
    } finally {
      await c.close();
    }
  });

  it('keeps one keep-alive connection serving allowed and denied requests in turn', async () => {
    let connects = 0;
    const c = client('tiefighter', 4);
    c.on('connect', () => connects++);
    try {
      const sequence = [
        ['POST', '/v1/request-landing', '200 Ship landed'],
        ['PUT', '/v1/exhaust-port', '403 Access denied'],
        ['GET', '/v1/request-landing', '403 Access denied'],
        ['POST', '/v1/request-landing', '200 Ship landed'],
      ];
      for (const [m, p, want] of sequence) expect(await send(c, m!, p!)).toBe(want);
      // the same four pipelined: written before any response is read
      const all = await Promise.all(sequence.map(([m, p]) => send(c, m!, p!)));
      expect(all).toEqual(sequence.map((s) => s[2]));
    } finally {
      await c.close();
    }
    expect(connects).toBe(1);
  });

  it('answers pipelined requests in order, allowed and denied, bodies included, on one connection', async () => {
    const req = (method: string, path: string, body = '', last = false) =>
      `${method} ${path} HTTP/1.1\r\nHost: deathstar\r\nContent-Length: ${body.length}\r\n` +
      `${last ? 'Connection: close\r\n' : ''}\r\n${body}`;
    const text = await rawExchange(
      rig.port,
      'tiefighter',
      req('POST', '/v1/request-landing', 'x-wing spotted') +
        req('PUT', '/v1/exhaust-port', 'proton torpedo') +
        req('POST', '/v1/request-landing') +
        req('DELETE', '/v1/request-landing', '', true),
    );
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '403', '200', '403']);
    expect(text.match(/Ship landed|Access denied/g)).toEqual([
      'Ship landed',
      'Access denied',
      'Ship landed',
      'Access denied',
    ]);
  });

  it('refuses connections the datapath did not redirect (no resolution): closed without an answer', async () => {
    const unknown = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({
        port: rig.port,
        host: '127.0.0.1',
        localAddress: '127.0.0.9',
        method: 'POST',
        path: '/v1/request-landing',
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      req.on('response', () => reject(new Error('an unresolved connection was answered')));
      req.end();
    });
    expect(unknown).toBe('ECONNRESET');
  });
});

describe('L7 proxy: requests it will not read', () => {
  it('refuses a malformed request with 400 and closes, forwarding nothing', async () => {
    const before = deathstar.received.length;
    const garbage = await rawExchange(rig.port, 'tiefighter', 'POST /v1/request-landing HTTP/1.1\r\nHost d\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(garbage).toContain('refused, not forwarded');
    const smuggle = await rawExchange(
      rig.port,
      'tiefighter',
      'POST /v1/request-landing HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(smuggle).toMatch(/^HTTP\/1\.1 400 /);
    expect(deathstar.received.length).toBe(before);
    expect(rig.events.at(-1)).toMatchObject({ verdict: 'refused', status: 400 });
  });

  it('refuses HTTP/2 cleartext, prior knowledge or Upgrade: h2c, saying why', async () => {
    const prior = await rawExchange(rig.port, 'tiefighter', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    expect(prior).toMatch(/^HTTP\/1\.1 505 HTTP Version Not Supported\r\n/);
    expect(prior).toContain('HTTP/2 cleartext (h2c) is not supported');
    const upgrade = await rawExchange(
      rig.port,
      'tiefighter',
      'POST /v1/request-landing HTTP/1.1\r\nHost: d\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
    expect(upgrade).toContain('HTTP/2 cleartext (h2c) is not supported');
    expect(rig.events.at(-1)).toMatchObject({ verdict: 'refused', status: 501, identity: identity('tiefighter') });
  });
});

describe('L7 proxy: a datapath that cannot answer', () => {
  it('closes the connection when the resolver throws, and keeps serving others', async () => {
    let calls = 0;
    const proxy = new HttpProxy({
      direction: 'ingress',
      rules: [],
      resolver: {
        resolve: () => {
          calls++;
          throw new Error('map lookup failed');
        },
      },
    });
    const { port } = await proxy.listen(0, '127.0.0.1');
    try {
      for (let i = 0; i < 2; i++) {
        expect(await rawExchange(port, 'tiefighter', 'POST /v1/request-landing HTTP/1.1\r\nHost: d\r\n\r\n')).toBe('');
      }
      expect(calls).toBe(2);
    } finally {
      await proxy.close();
    }
  });
});
