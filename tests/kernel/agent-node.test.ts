import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import {
  Agent,
  EtcdStatusStore,
  FileStatusStore,
  startMetricsServer,
  type MetricsServer,
  type NodeStatus,
} from '../../src/reconciler/agent/index.js';
import { FlowRecorder, FlowStore, type FlowRecord } from '../../src/reconciler/flows/index.js';
import { startEtcd, type EtcdServer } from '../support/etcd-server.js';
import { commitFiles, makeBare, makeRepo, makeTempDir, pushAll, removeDir } from '../support/git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { spawnIn, tcpConnects } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// The agent on a real node, following a branch served over git's smart HTTP
// protocol and reporting to a real etcd: good commits are applied, a bad one
// stalls while the node keeps enforcing the last good one, drift is repaired,
// and the monitor names the policy that dropped a connection.

const ROOT = new URL('../..', import.meta.url).pathname;
const node = new TestNode('gwg');
const DEATHSTAR = '10.0.1.10';
const tmp = makeTempDir('gitwire-gwg-agent-');
const work = join(tmp, 'work');
const stateDir = join(tmp, 'state');
const children: ChildProcess[] = [];
let git: GitHttpServer;
let etcd: EtcdServer;
let etcdStore: EtcdStatusStore;
let agent: Agent;
let metrics: MetricsServer;

const ships = () =>
  [
    endpointYaml(node, 'deathstar', DEATHSTAR, { org: 'empire', class: 'deathstar' }),
    endpointYaml(node, 'tiefighter', '10.0.1.20', { org: 'empire', class: 'tiefighter' }),
    endpointYaml(node, 'xwing', '10.0.1.30', { org: 'alliance', class: 'xwing' }),
  ].join('---\n');

/** Cilium's Star Wars rule1, plus an explicit deny of the alliance so its drops name the rule. */
const rule1 = (port: string, comment = '') => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: rule1
  namespace: default
spec:
  endpointSelector:
    matchLabels:
      class: deathstar
  ingress:
    - fromEndpoints:
        - matchLabels:
            org: empire
      toPorts:
        - ports:
            - port: '${port}'
              protocol: TCP
  ingressDeny:
    - fromEndpoints:
        - matchLabels:
            org: alliance
${comment}`;

const lands = (ship: string): boolean => tcpConnects(node.endpointNetns(ship), DEATHSTAR, 80);

function push(files: Record<string, string>): string {
  const sha = commitFiles(work, files);
  pushAll(work, join(tmp, 'config.git'));
  return sha;
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}; agent status: ${JSON.stringify(agent?.status, null, 2)}`);
}

const ready = (s: NodeStatus | null, rev: string) =>
  s?.lastAppliedRevision === rev && s.conditions.find((c) => c.type === 'Ready')?.status === 'True';

let good: string;

beforeAll(async () => {
  const [first] = makeRepo(work, [{ 'cluster.yaml': clusterYaml(node), 'ships.yaml': ships() }]);
  makeBare(work, join(tmp, 'config.git'));
  git = await startGitHttpServer({ root: tmp });
  etcd = await startEtcd();
  etcdStore = new EtcdStatusStore([etcd.endpoint]);
  agent = new Agent({
    repo: git.url('config.git'),
    node: node.name,
    rev: 'main',
    source: { cacheDir: join(stateDir, 'git-cache') },
    nodeNs: node.netns,
    bpffsRoot: node.bpffsRoot,
    intervalMs: 500,
    gcIntervalMs: 3_600_000,
    stores: [new FileStatusStore(stateDir), new EtcdStatusStore([etcd.endpoint])],
  });
  metrics = await startMetricsServer('127.0.0.1:0', {
    render: () => agent.metrics.render(agent.datapathCounters()),
    contentType: agent.metrics.contentType,
  });
  agent.start();
  await until('the first commit is applied', () => ready(agent.status, first!));
  children.push(spawnIn(node.endpointNetns('deathstar'), ['nc', '-lk', '80']));
  await until('the deathstar listens', () => lands('tiefighter'));
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await agent?.stop();
  await metrics?.close();
  await etcdStore?.close();
  await git?.close();
  await etcd?.stop();
  node.cleanup();
  removeDir(tmp);
});

describe('gitwire agent on a real node', () => {
  it('applies a pushed commit and reports Ready with its revision, in the state file and in etcd', async () => {
    good = push({ 'rule1.yaml': rule1('80') });
    await until('the policy commit is applied', () => ready(agent.status, good));
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
    await until('etcd holds the status', async () => ready(await etcdStore.read(node.name), good));
    const file = new FileStatusStore(stateDir);
    await until('the state file holds it', async () => ready(await file.read(node.name), good));
    expect((await file.read(node.name))?.lastError).toBeNull();
  });

  it('stalls on a commit that fails validation, with the error, while the node still enforces the last good one', async () => {
    const bad = push({ 'rule1.yaml': rule1('99999') });
    const stalled = (s: NodeStatus | null) => s?.conditions.find((c) => c.type === 'Stalled')?.status === 'True';
    await until('the bad commit stalls, in etcd', async () => stalled(await etcdStore.read(node.name)));
    const s = (await etcdStore.read(node.name))!;
    expect(s.lastAttemptedRevision).toBe(bad);
    expect(s.lastAppliedRevision).toBe(good);
    expect(s.conditions.find((c) => c.type === 'Stalled')?.status).toBe('True');
    expect(s.conditions.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(s.lastError).toMatchObject({ code: 'E_VALIDATION', step: 'load', kind: 'stalled' });
    expect(s.lastError!.message).toContain('rule1.yaml:16: spec.ingress[0].toPorts[0].ports[0].port');
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
  });

  it('becomes Ready again on a fix', async () => {
    good = push({ 'rule1.yaml': rule1('80', '# fixed\n') });
    await until('the fix is applied', () => ready(agent.status, good));
    expect(agent.status.conditions.find((c) => c.type === 'Stalled')?.status).toBe('False');
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
  });

  it('records dropped connections as flows in SQLite, kept across an agent restart, and counts them per policy', async () => {
    const path = join(stateDir, 'flows.sqlite');
    const record = async () => {
      const store = await FlowStore.open({ path });
      const recorder = new FlowRecorder({
        store,
        desired: () => agent.enforced?.desired ?? null,
        lostEvents: () => Number(agent.datapathCounters()?.['event-lost'].packets ?? 0),
        onEvent: (m) => agent.metrics.countEvent(m),
        intervalMs: 3_600_000,
        node: { node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot },
      });
      await recorder.tick();
      return { store, recorder };
    };
    const denied = (flows: FlowRecord[]) =>
      flows.find((f) => f.verdict === 'deny' && f.port === 80 && f.protocol === 6);
    const first = await record();
    expect(lands('xwing')).toBe(false);
    await until('the drop is recorded', async () => (await first.recorder.tick(), !!denied(first.store.flows())));
    const before = denied(first.store.flows())!;
    await first.recorder.stop();

    const second = await record();
    expect(denied(second.store.flows())).toEqual(before);
    expect(lands('xwing')).toBe(false);
    await until('the drop adds to the record', async () => {
      await second.recorder.tick();
      return denied(second.store.flows())!.count > before.count;
    });
    expect(denied(second.store.flows())!.firstSeen).toEqual(before.firstSeen);
    await second.recorder.stop();

    const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
    const dropped =
      /gitwire_policy_verdicts_total\{policy="default\/rule1",direction="ingress",result="dropped"\} (\d+)/.exec(text);
    expect(Number(dropped?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/gitwire_events_lost_total \d+/);
  });

  it('repairs drift done behind its back on a later pass', async () => {
    const writes = agent.metrics.kernelWrites;
    const live = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
    try {
      const policy = await live.drivers.policy.observe();
      live.datapath.policy.erase(policy.filter((e) => e.value.verdict === 'allow').map((e) => e.value));
    } finally {
      live.close();
    }
    await until('the agent rewrote the policy', () => agent.metrics.kernelWrites > writes);
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
  });

  it('exports datapath counters per reason, the revision and the reconcile results as metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
    expect(text).toContain(`gitwire_revision_info{node="${node.name}",revision="${good}"} 1`);
    expect(text).toMatch(/gitwire_reconciles_total\{result="stalled"\} [1-9]/);
    const denied = /gitwire_datapath_packets_total\{reason="denied-policy"\} (\d+)/.exec(text);
    expect(Number(denied?.[1])).toBeGreaterThan(0);
  });

  it('monitor streams a dropped connection naming the policy that dropped it', async () => {
    const monitor = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'tests/support/run-cli.ts'),
        'monitor',
        '--node',
        node.name,
        '--netns',
        node.netns,
        '--bpffs-root',
        node.bpffsRoot,
        '--state-dir',
        stateDir,
        '--count',
        '1',
        '--output',
        'json',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(monitor);
    let out = '';
    let err = '';
    monitor.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    monitor.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => monitor.once('close', resolve));
    await until('the monitor is reading', () => err.includes('monitoring node') || monitor.exitCode !== null);
    expect(lands('xwing')).toBe(false);
    expect(await exited).toBe(0);
    const event = JSON.parse(out.trim()) as Record<string, unknown> & { policy: Record<string, unknown> };
    expect(event).toMatchObject({ type: 'drop', reason: 'denied-policy', saddr: '10.0.1.30', daddr: DEATHSTAR });
    expect(event.policy).toMatchObject({ qualifiedName: 'default/rule1', kind: 'CiliumNetworkPolicy' });
    expect(err).toMatch(/1 events shown, \d+ lost to a full ring buffer/);
    expect(event.policy.file).toBe('rule1.yaml');
  });

  it('garbage-collects expired conntrack entries and counts them', () => {
    expect(lands('tiefighter')).toBe(true);
    // Seven hours ahead every entry, even an open TCP connection's (6 h), has expired.
    const removed = agent.collectConntrack(process.hrtime.bigint() + 7n * 3600n * 1_000_000_000n);
    expect(removed).toBeGreaterThan(0);
    expect(agent.metrics.ctGcRemoved).toBe(removed);
    expect(agent.collectConntrack(process.hrtime.bigint() + 7n * 3600n * 1_000_000_000n)).toBe(0);
  });

  it('gitwire agent stops cleanly on SIGTERM and the node stays enforced; it logs JSON and records flows', async () => {
    await agent.stop();
    const flowsPath = join(stateDir, 'flows.sqlite');
    const deniedCount = async () => {
      const store = await FlowStore.open({ path: flowsPath });
      const n = store.flows().find((f) => f.verdict === 'deny' && f.port === 80)?.count ?? 0;
      await store.close();
      return n;
    };
    const deniedBefore = await deniedCount();
    const cli = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'tests/support/run-cli.ts'),
        'agent',
        `--repo=${git.url('config.git')}`,
        `--node=${node.name}`,
        '--rev=main',
        '--interval=1h',
        `--etcd-endpoints=${etcd.endpoint}`,
        `--bpffs-root=${node.bpffsRoot}`,
        '--metrics-addr=127.0.0.1:0',
        `--netns=${node.netns}`,
        `--state-dir=${stateDir}`,
        '--log-format=json',
        '--flow-records=100',
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(cli);
    let err = '';
    cli.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => cli.once('close', resolve));
    const before = (await etcdStore.read(node.name))!.updatedAt;
    await until('the CLI agent reported', async () => {
      const s = await etcdStore.read(node.name);
      return s !== null && s.updatedAt !== before && ready(s, good) && s.lastReconcile !== null;
    });
    expect((await etcdStore.read(node.name))!.lastReconcile!.writes).toBe(0);
    await until('the CLI agent recorded a drop (saved every 5 s)', async () => {
      expect(lands('xwing')).toBe(false);
      return (await deniedCount()) > deniedBefore;
    });
    cli.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = err
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) expect(l).toMatchObject({ node: node.name, level: expect.any(String) as unknown });
    expect(lines.find((l) => String(l.msg).includes('SIGTERM: stopping'))).toMatchObject({ revision: good });
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
  });
});
