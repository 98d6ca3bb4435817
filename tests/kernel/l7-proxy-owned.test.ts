import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import type { L7VerdictEvent } from '../../src/datapath/proxy/index.js';
import { Monitor, realAgentDeps, type MonitoredL7Verdict } from '../../src/reconciler/agent/index.js';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { spawnIn } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// The L7 proxy as a resource the reconciler owns: passes over one kept node
// (as the agent keeps it) start the proxy for the seed's L7 policy, swap its
// rules in place, and start it again once it stopped; a fresh look at the
// node (plan --live after a one-shot apply) reports it missing.

const node = new TestNode('gwl7own');
const DEATHSTAR = '10.0.1.10';
const SEED_L7 = readFileSync(new URL('../fixtures/seed/l7-http-policy.yaml', import.meta.url), 'utf8');
// The seed's policy with one more allowed request: GET /v1/ (a rule change for the same port).
const WIDER_L7 = `${SEED_L7.trimEnd()}\n        - method: "GET"\n          path: "/v1/"\n`;

const DEATHSTAR_JS = `require('http').createServer((q, s) => {
  console.log(q.method + ' ' + q.url);
  q.resume();
  q.on('end', () => s.end(q.url === '/v1/request-landing' ? 'Ship landed' : 'Boom'));
}).listen(80, () => console.log('ready'));`;

// One keep-alive connection from the tiefighter: a request per line of stdin, each answer's status line on stdout.
const KEEPALIVE_JS = `const s = require('net').connect(80, '${DEATHSTAR}');
let buf = '';
s.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\r\\n\\r\\n')) >= 0) {
  const head = buf.slice(0, i); const len = Number((/content-length: *(\\d+)/i.exec(head) || [0, 0])[1]);
  if (buf.length < i + 4 + len) return; console.log(head.split('\\r\\n')[0]); buf = buf.slice(i + 4 + len); } });
s.on('close', () => console.log('closed'));
require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
  const [m, p] = l.split(' '); s.write(m + ' ' + p + ' HTTP/1.1\\r\\nHost: deathstar\\r\\nContent-Length: 0\\r\\n\\r\\n');
});`;

const ships = (policy: string) => ({
  'cluster.yaml': clusterYaml(node),
  'ships.yaml': [
    endpointYaml(node, 'deathstar', DEATHSTAR, { org: 'empire', class: 'deathstar' }),
    endpointYaml(node, 'tiefighter', '10.0.1.20', { org: 'empire', class: 'tiefighter' }),
    endpointYaml(node, 'xwing', '10.0.1.30', { org: 'alliance', class: 'xwing' }),
  ].join('---\n'),
  'l7.yaml': policy,
});

const events: L7VerdictEvent[] = [];
let kept: NodeDatapath;
let deathstar: ChildProcess;
const children: ChildProcess[] = [];

const opts = (extra: Partial<ReconcileOptions> = {}): ReconcileOptions => ({
  repo: node.configDir,
  node: node.name,
  nodeNs: node.netns,
  bpffsRoot: node.bpffsRoot,
  ...extra,
});
/** One pass over the kept node, as the agent makes it. */
const pass = (dryRun = false) => reconcileNode(opts({ datapath: kept, dryRun }));
const l7Actions = (r: Awaited<ReturnType<typeof reconcileNode>>) =>
  r.changes.changes.filter((c) => c.resource === 'l7proxy').map((c) => c.action);

/** An HTTP request from a ship's namespace: `status body`, or `failed` when no answer came. */
function request(ship: string, method: string, path: string): Promise<string> {
  const args = ['netns', 'exec', node.endpointNetns(ship), 'curl', '-s', '--max-time', '2', '-X', method];
  args.push('-w', ' %{http_code}', `http://${DEATHSTAR}${path}`);
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

/** Waits for a child's stdout to hold `n` lines. */
function lines(child: ChildProcess, out: string[], n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (out.length >= n) resolve(out.slice(0, n));
    };
    child.stdout!.on('data', check);
    child.once('exit', () =>
      out.length >= n ? resolve(out.slice(0, n)) : reject(new Error(`exited: ${out.join('|')}`)),
    );
    check();
  });
}

beforeAll(async () => {
  node.writeConfig(ships(SEED_L7));
  kept = NodeDatapath.open({
    node: node.name,
    nodeNs: node.netns,
    bpffsRoot: node.bpffsRoot,
    onL7Verdict: (e) => events.push(e),
  });
});

afterAll(() => {
  try {
    kept?.close();
  } finally {
    for (const c of children) c.kill('SIGKILL');
    node.cleanup();
  }
});

describe('the L7 proxy owned by the reconciler: Star Wars on a kept node', () => {
  it('a pass over the seed’s L7 policy starts the proxy: the tiefighter lands, the exhaust port gets 403, the xwing is dropped', async () => {
    const r = await pass();
    expect(l7Actions(r)).toEqual(['create', 'create']);
    expect(r.remaining?.changes).toEqual([]);
    expect(kept.l7!.running('ingress')?.listening).toBe(true);
    expect(kept.l7!.running('egress')).toBeUndefined();
    // The deathstar starts in the netns the pass created.
    deathstar = spawnIn(node.endpointNetns('deathstar'), ['node', '-e', DEATHSTAR_JS]);
    children.push(deathstar);
    await new Promise<void>((resolve, reject) => {
      deathstar.stdout!.once('data', () => resolve());
      deathstar.once('exit', (code) => reject(new Error(`deathstar exited with ${code}`)));
    });
    expect(await request('tiefighter', 'POST', '/v1/request-landing')).toBe('200 Ship landed');
    expect(await request('tiefighter', 'PUT', '/v1/exhaust-port')).toBe('403 Access denied');
    const before = events.length;
    expect(await request('xwing', 'POST', '/v1/request-landing')).toBe('failed');
    expect(events.length).toBe(before);
    const [landed, denied] = events.slice(-2);
    expect(landed).toMatchObject({ method: 'POST', path: '/v1/request-landing', status: 200, verdict: 'forwarded' });
    expect(landed!.rule).toMatchObject({ namespace: 'default', name: 'rule1', file: 'l7.yaml' });
    expect(denied).toMatchObject({ method: 'PUT', path: '/v1/exhaust-port', status: 403, verdict: 'denied' });
  });

  it('a second pass finds the running proxy as desired and writes nothing', async () => {
    const r = await pass();
    expect(r.changes.changes).toEqual([]);
    expect(r.writes).toBe(0);
  });

  it('a fresh look at the node (plan --live after a one-shot apply) reports the proxy missing', async () => {
    const r = await reconcileNode(opts({ dryRun: true }));
    expect(l7Actions(r)).toEqual(['create', 'create']);
    expect(r.changes.changes.filter((c) => c.resource !== 'l7proxy')).toEqual([]);
  });

  it('plans a rule change by policy and file:line, and swaps it in without closing an allowed keep-alive connection', async () => {
    const out: string[] = [];
    const client = spawn('ip', ['netns', 'exec', node.endpointNetns('tiefighter'), 'node', '-e', KEEPALIVE_JS]);
    children.push(client);
    client.stdout!.on('data', (d: Buffer) => out.push(...d.toString().trim().split('\n')));
    client.stdin!.write('POST /v1/request-landing\nGET /v1/\n');
    expect(await lines(client, out, 2)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 403 Forbidden']);

    node.writeConfig(ships(WIDER_L7));
    const planned = await pass(true);
    const l7 = planned.changes.changes.filter((c) => c.resource === 'l7proxy');
    expect(l7.map((c) => c.action)).toEqual(['update', 'update']);
    for (const c of l7)
      expect(c.label).toMatch(
        /^l7 ingress default\/deathstar :80 from \d+ .* rules of default\/rule1 \(l7\.yaml:\d+\)$/,
      );
    const proxy = kept.l7!.running('ingress');
    const r = await pass();
    expect(r.remaining?.changes).toEqual([]);
    expect(kept.l7!.running('ingress')).toBe(proxy);

    client.stdin!.write('GET /v1/\nPUT /v1/exhaust-port\n');
    expect(await lines(client, out, 4)).toEqual([
      'HTTP/1.1 200 OK',
      'HTTP/1.1 403 Forbidden',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 403 Forbidden',
    ]);
    expect(events.at(-2)?.rule?.path).toBe('spec.ingress[0].toPorts[0].rules.http[1]');
    client.kill('SIGKILL');
  });

  it('a proxy that stopped fails closed, reads as missing, and the next pass starts it again', async () => {
    await kept.l7!.running('ingress')!.close();
    expect(await request('tiefighter', 'POST', '/v1/request-landing')).toBe('failed');
    const r = await pass();
    expect(l7Actions(r)).toEqual(['create', 'create']);
    expect(r.remaining?.changes).toEqual([]);
    expect(await request('tiefighter', 'POST', '/v1/request-landing')).toBe('200 Ship landed');
  });

  it('stops the proxy when the policy no longer has L7 rules', async () => {
    node.writeConfig({ ...ships(''), 'l7.yaml': SEED_L7.replace(/\n {6}rules:[\s\S]*$/, '\n') });
    const r = await pass();
    expect(l7Actions(r)).toEqual(['delete', 'delete']);
    expect(kept.l7!.running('ingress')).toBeUndefined();
    // Plain L4 now: any request reaches the deathstar.
    expect(await request('tiefighter', 'PUT', '/v1/exhaust-port')).toBe('200 Boom');
  });
});

describe('the agent’s proxy verdicts in the monitor', () => {
  afterAll(() => realAgentDeps.release());

  it('gitwire monitor shows each L7 verdict of the agent’s proxy with the policy rule and file:line', async () => {
    await kept.l7!.close();
    node.writeConfig(ships(SEED_L7));
    const r = await realAgentDeps.reconcile(opts());
    expect(r.remaining?.changes).toEqual([]);
    const got: MonitoredL7Verdict[] = [];
    const monitor = Monitor.open({ ...opts(), rules: [], onEvent: () => {}, onL7: (v) => got.push(v) });
    try {
      // The monitor's connection to the feed is accepted asynchronously: request until its first verdict arrives.
      while (got.length === 0) {
        expect(await request('tiefighter', 'PUT', '/v1/exhaust-port')).toBe('403 Access denied');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await request('tiefighter', 'POST', '/v1/request-landing')).toBe('200 Ship landed');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(got.at(0)?.verdict).toMatchObject({
        method: 'PUT',
        path: '/v1/exhaust-port',
        status: 403,
        verdict: 'denied',
      });
      const landed = got.at(-1)!.verdict;
      expect(landed).toMatchObject({ method: 'POST', path: '/v1/request-landing', status: 200, verdict: 'forwarded' });
      expect(landed.rule).toMatchObject({
        name: 'rule1',
        path: 'spec.ingress[0].toPorts[0].rules.http[0]',
        file: 'l7.yaml',
      });
      expect(landed.rule!.line).toBeGreaterThan(0);
    } finally {
      monitor.close();
    }
  });
});
