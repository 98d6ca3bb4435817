import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { EventReader, type DatapathEvent, type Reason } from '../../src/datapath/maps/index.js';
import { reconcileNode } from '../../src/reconciler/reconcile-node.js';
import { spawnIn, tcpConnects } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// A TCP flow from `client` to `server` port 5000, allowed by policy in both
// directions, carries a numbered stream while gitwire applies 100 policy
// changes that concern other endpoints and ports. Not one packet of the flow
// may be dropped.

const node = new TestNode('gwf');
const SERVER = '10.0.1.10';
const CLIENT = '10.0.1.20';
const PORT = 5000;
const APPLIES = 100;
const B1 = '10.0.1.31';
const B1_PORT = 5001;
const B2 = '10.0.1.32';
const TOGGLES = 10;
const children: ChildProcess[] = [];

const cnp = (name: string, spec: string) =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n${spec}`;

const base = {
  'cluster.yaml': clusterYaml(node),
  'endpoints.yaml': [
    endpointYaml(node, 'server', SERVER, { app: 'server' }),
    endpointYaml(node, 'client', CLIENT, { app: 'client' }),
    endpointYaml(node, 'b1', B1, { app: 'b1' }),
    endpointYaml(node, 'b2', B2, { app: 'b2' }),
  ].join('---\n'),
  'flow.yaml': cnp(
    'flow',
    `  endpointSelector: {matchLabels: {app: server}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: client}}]
      toPorts: [{ports: [{port: "${PORT}", protocol: TCP}]}]
---
${cnp(
  'flow-out',
  `  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toEndpoints: [{matchLabels: {app: server}}]
      toPorts: [{ports: [{port: "${PORT}", protocol: TCP}]}]
`,
)}`,
  ),
};

const b1FromB2 = cnp(
  'b1-from-b2',
  `  endpointSelector: {matchLabels: {app: b1}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: b2}}]
      toPorts: [{ports: [{port: "${B1_PORT}", protocol: TCP}]}]
`,
);

const ADDRESSES: Record<string, string> = { server: SERVER, client: CLIENT, b1: B1, b2: B2 };
const lxcAddress = (name: string): string => ADDRESSES[name]!;

/**
 * The i-th change: rules that select other endpoints, other ports of the
 * flow's endpoints, or other peers on the flow's port, in turn; every fifth
 * commit has none, so each apply adds some entries and removes others.
 */
function change(i: number): Record<string, string> {
  const port = 6000 + i;
  const specs = [
    `  endpointSelector: {matchLabels: {app: b1}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: client}}]
      toPorts: [{ports: [{port: "${port}", protocol: TCP}]}]
`,
    `  endpointSelector: {matchLabels: {app: server}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: b2}}]
      toPorts: [{ports: [{port: "${port}", endPort: ${port + 40}, protocol: TCP}]}]
`,
    `  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toEndpoints: [{matchLabels: {app: b1}}]
      toPorts: [{ports: [{port: "${port}", protocol: UDP}]}]
`,
    `  endpointSelector: {matchLabels: {app: server}}
  ingressDeny:
    - fromEndpoints: [{matchLabels: {app: b2}}]
      toPorts: [{ports: [{port: "${PORT}", protocol: TCP}]}]
    - fromEntities: [world]
`,
  ];
  const spec = specs[i % 5];
  return spec === undefined ? {} : { 'change.yaml': cnp(`change-${i}`, spec) };
}

/** Accepts one connection and checks that it carries 0, 1, 2, ... as big-endian u64s. */
const serverJs = (port: number) => `
const net = require('net');
const say = (o) => console.log(JSON.stringify(o));
net.createServer((s) => {
  let next = 0n, rest = Buffer.alloc(0), bad = null;
  const tick = setInterval(() => say({ event: 'progress', received: String(next) }), 100);
  s.on('data', (d) => {
    const buf = rest.length ? Buffer.concat([rest, d]) : d;
    let o = 0;
    for (; o + 8 <= buf.length; o += 8) {
      const v = buf.readBigUInt64BE(o);
      if (v !== next && bad === null) bad = { expected: String(next), got: String(v) };
      next = v + 1n;
    }
    rest = buf.subarray(o);
  });
  s.on('end', () => { clearInterval(tick); say({ event: 'end', received: String(next), bad, rest: rest.length }); s.end(); });
  s.on('error', (e) => { clearInterval(tick); say({ event: 'error', code: e.code }); });
}).listen(${port}, '0.0.0.0', () => say({ event: 'ready' }));
`;

/** Sends 0, 1, 2, ... until SIGTERM: 2 KiB every 5 ms, or (blast) as fast as the connection takes them. */
const clientJs = (address: string, port: number, blast: boolean) => `
const net = require('net');
const say = (o) => console.log(JSON.stringify(o));
let seq = 0n, stopping = false;
const s = net.connect(${port}, '${address}', () => { say({ event: 'connected', sport: s.localPort }); pump(); });
function chunk() {
  const b = Buffer.alloc(8 * 256);
  for (let i = 0; i < 256; i++) b.writeBigUInt64BE(seq++, i * 8);
  return b;
}
function pump() {
  if (stopping) return;
  if (!${blast}) { s.write(chunk()); setTimeout(pump, 5); return; }
  while (!stopping) if (!s.write(chunk())) { s.once('drain', pump); return; }
}
process.on('SIGTERM', () => { stopping = true; s.end(() => say({ event: 'done', sent: String(seq) })); });
s.on('error', (e) => { say({ event: 'error', code: e.code }); process.exit(1); });
s.on('close', () => process.exit(0));
`;

interface Line {
  readonly event: string;
  readonly [k: string]: unknown;
}

/** Runs a Node script in a namespace and collects its JSON lines. */
interface Script {
  readonly child: ChildProcess;
  readonly lines: Line[];
  wait(event: string): Promise<Line>;
}

function script(netns: string, source: string): Script {
  // At the lowest priority: on two cores a blasting flow would otherwise starve the applies under test.
  const child = spawnIn(netns, ['nice', '-n', '19', process.execPath, '-e', source]);
  children.push(child);
  const lines: Line[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, nl)) as Line);
      buf = buf.slice(nl + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  const wait = (event: string) =>
    new Promise<Line>((resolve, reject) => {
      const check = () => {
        const hit = lines.find((l) => l.event === event || l.event === 'error');
        if (hit?.event === 'error') reject(new Error(`${netns}: ${JSON.stringify(hit)}`));
        else if (hit) resolve(hit);
        else waiters.push(check);
      };
      child.once('exit', (code) => reject(new Error(`${netns}: exited with ${code} before ${event}`)));
      check();
    });
  return { child, lines, wait };
}

const apply = (files: Record<string, string>) => {
  node.writeConfig(files);
  return reconcileNode({ repo: node.configDir, node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
};

let live: NodeDatapath;
let reader: EventReader;
const events: DatapathEvent[] = [];

function counters(): Record<Reason, bigint> {
  const all = live.datapath.counters.read();
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.packets])) as Record<Reason, bigint>;
}

beforeAll(async () => {
  const first = await apply(base);
  expect(first.remaining?.changes).toEqual([]);
  live = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
  reader = new EventReader(live.datapath.events, (e) => events.push(e));
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  reader?.close();
  live?.close();
  node.cleanup();
});

interface Flow {
  readonly server: Script;
  readonly client: Script;
  readonly tuple: { saddr: string; sport: number; daddr: string; dport: number };
  readonly before: Record<Reason, bigint>;
  /** Stream position the server has confirmed so far. */
  received(): bigint;
}

/** Starts a server in `to`, connects a client from `from` and notes the counters. */
async function startFlow(from: string, to: string, daddr: string, dport: number, blast: boolean): Promise<Flow> {
  const server = script(node.endpointNetns(to), serverJs(dport));
  await server.wait('ready');
  const client = script(node.endpointNetns(from), clientJs(daddr, dport, blast));
  const sport = (await client.wait('connected')).sport as number;
  const saddr = lxcAddress(from);
  return {
    server,
    client,
    tuple: { saddr, sport, daddr, dport },
    before: counters(),
    received() {
      const last = server.lines.filter((l) => l.event === 'progress').at(-1);
      return BigInt((last?.received as string | undefined) ?? '0');
    },
  };
}

/** Ends the flow cleanly and asserts that every byte arrived in order and the datapath dropped nothing. */
async function expectIntact(flow: Flow): Promise<void> {
  flow.client.child.kill('SIGTERM');
  const done = await flow.client.wait('done');
  const end = await flow.server.wait('end');
  reader.drain();
  const after = counters();

  expect(end).toMatchObject({ received: done.sent, bad: null, rest: 0 });
  expect(flow.server.lines.filter((l) => l.event === 'error')).toEqual([]);
  expect(flow.client.lines.filter((l) => l.event === 'error')).toEqual([]);
  for (const reason of ['denied-policy', 'denied-default', 'event-lost'] as const) {
    expect(after[reason], reason).toBe(flow.before[reason]);
  }
  const { saddr, sport, daddr, dport } = flow.tuple;
  const ofFlow = (e: DatapathEvent) =>
    e.protocol === 6 &&
    ((e.saddr === saddr && e.sport === sport && e.daddr === daddr && e.dport === dport) ||
      (e.saddr === daddr && e.sport === dport && e.daddr === saddr && e.dport === sport));
  expect(events.filter((e) => e.type === 'drop' && ofFlow(e))).toEqual([]);
}

/** The flow's port is enforced: the same port from another endpoint is dropped, and the drop is seen. */
function expectEnforced(from: string, daddr: string, dport: number): void {
  const before = counters();
  expect(tcpConnects(node.endpointNetns(from), daddr, dport)).toBe(false);
  reader.drain();
  const after = counters();
  expect(after['denied-policy'] + after['denied-default']).toBeGreaterThan(
    before['denied-policy'] + before['denied-default'],
  );
  expect(events.some((e) => e.type === 'drop' && e.daddr === daddr && e.dport === dport)).toBe(true);
}

describe('allowed TCP flows while policies change', () => {
  it(
    'a flow loses no byte, is never reset and has no packet dropped through 100 unrelated policy changes',
    { timeout: 600_000 },
    async () => {
      const flow = await startFlow('client', 'server', SERVER, PORT, false);
      const progress: bigint[] = [];
      for (let i = 0; i < APPLIES; i++) {
        const r = await apply({ ...base, ...change(i) });
        expect(r.changes.byResource.policy, `apply ${i}`).toBeDefined();
        expect(r.remaining?.changes, `apply ${i}`).toEqual([]);
        if (i % 25 === 0) progress.push(flow.received());
      }
      await new Promise((r) => setTimeout(r, 300));
      progress.push(flow.received());
      for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!);
      await expectIntact(flow);
      expectEnforced('b2', SERVER, PORT);
    },
  );

  it(
    'a flow into an endpoint loses no packet when a policy that allows it starts and stops enforcing there',
    { timeout: 300_000 },
    async () => {
      await apply(base);
      const flow = await startFlow('b2', 'b1', B1, B1_PORT, false);
      for (let i = 0; i < TOGGLES; i++) {
        const r = await apply(i % 2 === 0 ? { ...base, 'b1.yaml': b1FromB2 } : base);
        expect(r.changes.byResource.lxc?.update, `toggle ${i}`).toBe(1);
        expect(r.remaining?.changes, `toggle ${i}`).toEqual([]);
      }
      await expectIntact(flow);
      await apply({ ...base, 'b1.yaml': b1FromB2 });
      expectEnforced('client', B1, B1_PORT);
    },
  );
});
