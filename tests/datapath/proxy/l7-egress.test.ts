import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClusterProgram } from '../../../src/desired/compile/cluster-program.js';
import { compileNodeL7 } from '../../../src/desired/compile/l7/index.js';
import { HttpProxy, type L7VerdictEvent } from '../../../src/datapath/proxy/index.js';
import { SHIP_ADDRESS, startDeathstar, starWarsModel } from './proxy-fixture.js';

// Egress L7 from a client: the tiefighter's own policy lets it only POST landings to the deathstar.
const egress = {
  endpointSelector: { matchLabels: { class: 'tiefighter' } },
  egress: [
    {
      toEndpoints: [{ matchLabels: { class: 'deathstar' } }],
      toPorts: [
        {
          ports: [{ port: '80', protocol: 'TCP' as const }],
          rules: { http: [{ method: 'POST', path: '/v1/request-landing' }] },
        },
      ],
    },
  ],
};

let deathstar: Awaited<ReturnType<typeof startDeathstar>>;
let proxy: HttpProxy;
let port: number;
const events: L7VerdictEvent[] = [];

beforeAll(async () => {
  deathstar = await startDeathstar();
  const program = buildClusterProgram(starWarsModel({}, { egress }));
  const deathstarId = program.view.endpoints.find((e) => e.key === 'default/deathstar')!.identity;
  // The tiefighter (on n2) sends from its loopback address; the deathstar listens on 127.0.0.1.
  const sets = compileNodeL7(program, 'n2').sets.map((s) => ({
    ...s,
    address: SHIP_ADDRESS.tiefighter,
    port: deathstar.port,
  }));
  expect(sets.map((s) => [s.endpoint, s.direction, s.identity])).toEqual([
    ['default/tiefighter', 'egress', deathstarId],
  ]);
  proxy = new HttpProxy({
    direction: 'egress',
    rules: sets,
    onVerdict: (e) => events.push(e),
    resolver: {
      resolve: () => ({ identity: deathstarId, originalDst: { address: '127.0.0.1', port: deathstar.port } }),
    },
  });
  port = (await proxy.listen(0, '127.0.0.1')).port;
});

afterAll(async () => {
  await proxy?.close();
  await new Promise((r) => deathstar?.server.close(r));
});

describe('L7 proxy: egress', () => {
  it('enforces the client endpoint’s egress rules by its own address and the destination’s identity', async () => {
    const send = async (ship: 'tiefighter' | 'xwing', method: string, path: string) => {
      const c = new Client(`http://127.0.0.1:${port}`, { localAddress: SHIP_ADDRESS[ship] });
      try {
        const res = await c.request({ method: method as 'GET', path });
        return `${res.statusCode} ${await res.body.text()}`;
      } finally {
        await c.close();
      }
    };
    expect(await send('tiefighter', 'POST', '/v1/request-landing')).toBe('200 Ship landed');
    expect(events.at(-1)).toMatchObject({ direction: 'egress', verdict: 'forwarded', rule: { name: 'egress' } });
    expect(await send('tiefighter', 'PUT', '/v1/exhaust-port')).toBe('403 Access denied');
    // another endpoint's traffic has no egress rule set here
    expect(await send('xwing', 'POST', '/v1/request-landing')).toBe('403 Access denied');
  });
});
