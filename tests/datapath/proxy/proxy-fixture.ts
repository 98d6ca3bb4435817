import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { buildClusterProgram } from '../../../src/desired/compile/cluster-program.js';
import { compileNodeL7, type L7RuleSet } from '../../../src/desired/compile/l7/index.js';
import type { PolicyDeclaration } from '../../../src/desired/model.js';
import { HttpProxy, type L7VerdictEvent } from '../../../src/datapath/proxy/index.js';
import { load } from '../../desired/load/tree-of.js';
import { twoNodeCluster, type ModelBuilder } from '../../support/model-builder.js';

// Each ship connects from its own loopback address; the test resolver maps it
// to the ship's identity as the datapath's redirect record would.
export const SHIP_ADDRESS = { tiefighter: '127.0.0.2', xwing: '127.0.0.3', deathstar: '127.0.0.4' } as const;
export type Ship = keyof typeof SHIP_ADDRESS;

export const seedPolicy = readFileSync(new URL('../../fixtures/seed/l7-http-policy.yaml', import.meta.url), 'utf8');

/** Requests the deathstar received, as `METHOD url` with the headers and body it read. */
export interface Received {
  readonly line: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Takes a request over from the default deathstar when it returns true. */
export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** A real deathstar: answers landings, echoes other bodies; `handler` may take a request over first. */
export async function startDeathstar(
  handler?: UpstreamHandler,
): Promise<{ server: Server; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    if (handler && handler(req, res)) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ line: `${req.method} ${req.url}`, headers: req.headers, body });
      const text = req.url === '/v1/request-landing' ? 'Ship landed' : `echo ${body.length}`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, received };
}

type Rule = Parameters<ModelBuilder['policy']>[1];

/** A model with the Star Wars ships and the given policies: YAML texts (loaded with file:line) or rules. */
export function starWarsModel(yaml: Record<string, string>, rules: Record<string, Rule> = {}) {
  const b: ModelBuilder = twoNodeCluster()
    .endpoint('deathstar', 'n1', { labels: { org: 'empire', class: 'deathstar' } })
    .endpoint('tiefighter', 'n2', { labels: { org: 'empire', class: 'tiefighter' } })
    .endpoint('xwing', 'n2', { labels: { org: 'alliance', class: 'xwing' } });
  for (const [name, rule] of Object.entries(rules)) b.policy(name, rule);
  const loaded: PolicyDeclaration[] = Object.keys(yaml).length ? [...load(yaml).model!.policies] : [];
  const model = b.build();
  return { ...model, policies: [...loaded, ...model.policies] };
}

/**
 * The deathstar's L7 rule sets on n1, moved to where the test deathstar listens
 * (127.0.0.1:port instead of its pod address and port 80), with the identities of the ships.
 */
export function deathstarRules(model: ReturnType<typeof starWarsModel>, port: number) {
  const program = buildClusterProgram(model);
  const identity = (ship: Ship) => program.view.endpoints.find((e) => e.key === `default/${ship}`)!.identity;
  const sets: L7RuleSet[] = compileNodeL7(program, 'n1').sets.map((s) => ({
    ...s,
    address: '127.0.0.1',
    port,
    portPrefixLen: 16,
  }));
  return { sets, identity };
}

export interface ProxyRig {
  readonly proxy: HttpProxy;
  readonly port: number;
  readonly events: L7VerdictEvent[];
  close(): Promise<void>;
}

/** An ingress proxy in front of the deathstar; connections from unknown addresses resolve to nothing. */
export async function startProxy(
  sets: L7RuleSet[],
  identity: (ship: Ship) => number,
  upstreamPort: number,
): Promise<ProxyRig> {
  const events: L7VerdictEvent[] = [];
  const byAddress = new Map<string, number>(
    Object.entries(SHIP_ADDRESS).map(([ship, addr]) => [addr, identity(ship as Ship)]),
  );
  const proxy = new HttpProxy({
    direction: 'ingress',
    rules: sets,
    onVerdict: (e) => events.push(e),
    resolver: {
      resolve: (s: Socket) => {
        const id = byAddress.get(s.remoteAddress ?? '');
        return id === undefined ? null : { identity: id, originalDst: { address: '127.0.0.1', port: upstreamPort } };
      },
    },
  });
  const { port } = await proxy.listen(0, '127.0.0.1');
  return { proxy, port, events, close: () => proxy.close() };
}

/** Sends raw bytes from a ship and collects everything until the proxy closes the connection. */
export function rawExchange(port: number, ship: Ship, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: SHIP_ADDRESS[ship] });
    let text = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(bytes));
    s.on('data', (d: string) => (text += d));
    s.on('error', reject);
    s.on('close', () => resolve(text));
  });
}
