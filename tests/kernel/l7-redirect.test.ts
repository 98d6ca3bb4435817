import { execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfMap } from '../../src/datapath/libbpf/index.js';
import { ProxyMap } from '../../src/datapath/maps/index.js';
import { pinLayout } from '../../src/datapath/programs/pin-layout.js';
import {
  ensureProxyRouting,
  startTransparentProxy,
  type HttpProxy,
  type L7VerdictEvent,
} from '../../src/datapath/proxy/index.js';
import { buildClusterProgram } from '../../src/desired/compile/cluster-program.js';
import { compileNodeL7 } from '../../src/desired/compile/l7/index.js';
import type { Direction } from '../../src/desired/desired-state.js';
import { proxyPort } from '../../src/desired/compile/policy/proxy-port.js';
import { loadRevision } from '../../src/reconciler/load-revision.js';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { run, spawnIn } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// Cilium's Star Wars L7 demo on one real node: the seed's L7 policy makes the
// datapath redirect the deathstar's port 80 to the node's transparent proxy
// (bpf_sk_assign), which enforces the HTTP rules with the identity the
// redirect recorded in gw_proxy.

const node = new TestNode('gwl7');
const DEATHSTAR = '10.0.1.10';
const SEED_L7 = readFileSync(new URL('../fixtures/seed/l7-http-policy.yaml', import.meta.url), 'utf8');
const opts = (): ReconcileOptions => ({
  repo: node.configDir,
  node: node.name,
  nodeNs: node.netns,
  bpffsRoot: node.bpffsRoot,
});

// The deathstar logs each request line it receives, so a test can tell what reached it.
const DEATHSTAR_JS = `require('http').createServer((q, s) => {
  console.log(q.method + ' ' + q.url);
  q.resume();
  q.on('end', () => s.end(q.url === '/v1/request-landing' ? 'Ship landed' : 'Boom'));
}).listen(80, () => console.log('ready'));`;

// Egress L7 from a client: the tiefighter may only POST landings to the deathstar.
const TIEFIGHTER_EGRESS = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: tiefighter-egress
spec:
  endpointSelector:
    matchLabels:
      class: tiefighter
  egress:
  - toEndpoints:
    - matchLabels:
        class: deathstar
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
      rules:
        http:
        - method: POST
          path: /v1/request-landing
`;

const ships = () => ({
  'cluster.yaml': clusterYaml(node),
  'ships.yaml': [
    endpointYaml(node, 'deathstar', DEATHSTAR, { org: 'empire', class: 'deathstar' }),
    endpointYaml(node, 'tiefighter', '10.0.1.20', { org: 'empire', class: 'tiefighter' }),
    endpointYaml(node, 'xwing', '10.0.1.30', { org: 'alliance', class: 'xwing' }),
  ].join('---\n'),
});

let deathstar: ChildProcess;
let received = '';
let pinnedMap: BpfMap | undefined;
let proxyMap: ProxyMap;
let proxy: HttpProxy | null = null;
const events: L7VerdictEvent[] = [];

/** An HTTP request from a ship's namespace: `status body`, or `failed` when no answer came. */
function request(ship: string, method: string, path: string, to = DEATHSTAR): Promise<string> {
  const args = ['netns', 'exec', node.endpointNetns(ship), 'curl', '-s', '--max-time', '2', '-X', method];
  args.push('-w', ' %{http_code}', `http://${to}${path}`);
  return new Promise((resolve) => {
    execFile('ip', args, (err, stdout) => {
      if (err) resolve('failed');
      else {
        const i = stdout.lastIndexOf(' ');
        resolve(`${stdout.slice(i + 1)} ${stdout.slice(0, i)}`);
      }
    });
  });
}

async function startProxy(direction: Direction = 'ingress'): Promise<void> {
  const { model } = await loadRevision(node.configDir);
  const rules = compileNodeL7(buildClusterProgram(model), node.name).sets;
  proxy = await startTransparentProxy({
    netns: node.netns,
    port: proxyPort('http', direction),
    direction,
    map: proxyMap,
    rules,
    onVerdict: (e) => events.push(e),
  });
}

async function stopProxy(): Promise<void> {
  await proxy?.close();
  proxy = null;
}

beforeAll(async () => {
  node.writeConfig({ ...ships(), 'l7.yaml': SEED_L7 });
  const r = await reconcileNode(opts());
  expect(r.remaining?.changes).toEqual([]);
  await ensureProxyRouting(node.netns);
  await ensureProxyRouting(node.netns); // idempotent: a second pass adds nothing
  expect(run('ip', ['-n', node.netns, 'rule', 'show']).match(/fwmark 0x200\/0xf00 lookup 2004/g)).toHaveLength(1);
  pinnedMap = BpfMap.fromPin(join(pinLayout(node.name, node.bpffsRoot).mapsDir, 'gw_proxy'));
  proxyMap = new ProxyMap(pinnedMap);
  deathstar = spawnIn(node.endpointNetns('deathstar'), ['node', '-e', DEATHSTAR_JS]);
  await new Promise<void>((resolve, reject) => {
    deathstar.stdout!.on('data', (d: Buffer) => {
      received += d.toString();
      if (received.includes('ready')) resolve();
    });
    deathstar.once('exit', (code) => reject(new Error(`deathstar exited with ${code}`)));
  });
});

afterAll(async () => {
  try {
    await stopProxy();
  } finally {
    deathstar?.kill('SIGKILL');
    pinnedMap?.close();
    node.cleanup();
  }
});

describe('L7 redirect to the node proxy: the Star Wars demo', () => {
  it('fails closed while no proxy listens: the request never reaches the deathstar', async () => {
    expect(await request('tiefighter', 'POST', '/v1/request-landing')).toBe('failed');
    expect(received).not.toContain('POST /v1/request-landing');
  });

  it('lets the tiefighter land: POST /v1/request-landing gets 200 from the deathstar through the proxy', async () => {
    await startProxy();
    expect(await request('tiefighter', 'POST', '/v1/request-landing')).toBe('200 Ship landed');
    expect(received).toContain('POST /v1/request-landing');
    const tiefighter = (await loadRevision(node.configDir)).model;
    const id = buildClusterProgram(tiefighter).view.endpoints.find((e) => e.key === 'default/tiefighter')!.identity;
    expect(events.at(-1)).toMatchObject({ identity: id, method: 'POST', status: 200, verdict: 'forwarded' });
  });

  it('answers PUT /v1/exhaust-port with 403 Access denied and never forwards it', async () => {
    expect(await request('tiefighter', 'PUT', '/v1/exhaust-port')).toBe('403 Access denied');
    expect(received).not.toContain('/v1/exhaust-port');
    expect(events.at(-1)).toMatchObject({ method: 'PUT', status: 403, verdict: 'denied' });
  });

  it('refuses a connection made straight to its port: the datapath recorded no identity for it', async () => {
    const port = proxyPort('http', 'ingress');
    const landings = received.split('POST /v1/request-landing').length;
    expect(await request('tiefighter', 'POST', '/v1/request-landing', `10.0.1.1:${port}`)).toBe('failed');
    expect(received.split('POST /v1/request-landing').length).toBe(landings);
  });

  it('drops the xwing at L3: it never reaches the proxy', async () => {
    const before = events.length;
    expect(await request('xwing', 'POST', '/v1/request-landing')).toBe('failed');
    expect(events.length).toBe(before);
  });

  it('fails closed again once the proxy stops', async () => {
    await stopProxy();
    const landings = received.split('POST /v1/request-landing').length;
    expect(await request('tiefighter', 'POST', '/v1/request-landing')).toBe('failed');
    expect(received.split('POST /v1/request-landing').length).toBe(landings);
  });
});

describe('L7 redirect to the node proxy: egress from a client', () => {
  beforeAll(async () => {
    node.writeConfig({ ...ships(), 'egress.yaml': TIEFIGHTER_EGRESS });
    const r = await reconcileNode(opts());
    expect(r.remaining?.changes).toEqual([]);
  });

  afterAll(stopProxy);

  it('fails closed while no egress proxy listens', async () => {
    expect(await request('tiefighter', 'POST', '/v1/request-landing')).toBe('failed');
  });

  it("enforces the tiefighter's own rules with the deathstar's identity; the xwing goes straight", async () => {
    await startProxy('egress');
    const before = events.length;
    expect(await request('tiefighter', 'POST', '/v1/request-landing')).toBe('200 Ship landed');
    expect(await request('tiefighter', 'PUT', '/v1/exhaust-port')).toBe('403 Access denied');
    expect(received).not.toContain('/v1/exhaust-port');
    const { model } = await loadRevision(node.configDir);
    const id = buildClusterProgram(model).view.endpoints.find((e) => e.key === 'default/deathstar')!.identity;
    expect(events.slice(before).map((e) => [e.direction, e.identity, e.method, e.status])).toEqual([
      ['egress', id, 'POST', 200],
      ['egress', id, 'PUT', 403],
    ]);
    // No policy selects the xwing: its request is not redirected and reaches the deathstar unproxied.
    expect(await request('xwing', 'PUT', '/v1/exhaust-port')).toBe('200 Boom');
    expect(events.length).toBe(before + 2);
  });
});
