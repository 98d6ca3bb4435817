import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent, FileStatusStore, type NodeStatus } from '../../src/reconciler/agent/index.js';
import { commitFiles, makeBare, makeRepo, makeTempDir, pushAll, removeDir } from '../support/git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { spawnIn, tcpConnects } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';
import type { ChildProcess } from 'node:child_process';

// The git server goes away while the agent follows it: the node keeps
// enforcing what it applied, the agent says why it cannot fetch, and it picks
// up the next commit by itself once the server is back.

const node = new TestNode('gwo');
const DEATHSTAR = '10.0.1.10';
const tmp = makeTempDir('gitwire-gwo-outage-');
const work = join(tmp, 'work');
const children: ChildProcess[] = [];
let git: GitHttpServer | undefined;
let agent: Agent;

const files = (comment: string) => ({
  'cluster.yaml': clusterYaml(node),
  'ships.yaml': [
    endpointYaml(node, 'deathstar', DEATHSTAR, { org: 'empire', class: 'deathstar' }),
    endpointYaml(node, 'tiefighter', '10.0.1.20', { org: 'empire', class: 'tiefighter' }),
    endpointYaml(node, 'xwing', '10.0.1.30', { org: 'alliance', class: 'xwing' }),
  ].join('---\n'),
  'rule1.yaml': `apiVersion: cilium.io/v2
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
            - port: '80'
              protocol: TCP
# ${comment}
`,
});

const lands = (ship: string): boolean => tcpConnects(node.endpointNetns(ship), DEATHSTAR, 80);
const ready = (s: NodeStatus, rev: string) =>
  s.lastAppliedRevision === rev && s.conditions.find((c) => c.type === 'Ready')?.status === 'True';

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}; agent status: ${JSON.stringify(agent?.status, null, 2)}`);
}

let first: string;

beforeAll(async () => {
  [first] = makeRepo(work, [files('first')]) as [string];
  makeBare(work, join(tmp, 'config.git'));
  git = await startGitHttpServer({ root: tmp });
  agent = new Agent({
    repo: git.url('config.git'),
    node: node.name,
    rev: 'main',
    source: { cacheDir: join(tmp, 'git-cache'), timeouts: { connectMs: 1_000, idleMs: 1_000, totalMs: 5_000 } },
    nodeNs: node.netns,
    bpffsRoot: node.bpffsRoot,
    intervalMs: 300,
    gcIntervalMs: 3_600_000,
    retry: { minMs: 100, maxMs: 500 },
    stores: [new FileStatusStore(join(tmp, 'state'))],
  });
  agent.start();
  await until('the first commit is applied', () => ready(agent.status, first));
  children.push(spawnIn(node.endpointNetns('deathstar'), ['nc', '-lk', '80']));
  await until('the deathstar listens', () => lands('tiefighter'));
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await agent?.stop();
  await git?.close();
  node.cleanup();
  removeDir(tmp);
});

it('a git server outage leaves the node enforcing the last good commit, and the agent recovers by itself', async () => {
  const port = git!.port;
  await git!.close();
  git = undefined;
  await until(
    'the agent reports the server unreachable',
    () => agent.status.lastError?.code === 'E_SOURCE_UNREACHABLE',
  );
  expect(agent.status.lastError).toMatchObject({ step: 'fetch', kind: 'transient' });
  expect(agent.status.lastAppliedRevision).toBe(first);
  expect(lands('tiefighter')).toBe(true);
  expect(lands('xwing')).toBe(false);

  // A commit made during the outage is applied once the server is back, with no one restarting the agent.
  const next = commitFiles(work, files('during the outage'));
  pushAll(work, join(tmp, 'config.git'));
  git = await startGitHttpServer({ root: tmp, port });
  await until('the commit pushed during the outage is applied', () => ready(agent.status, next));
  expect(agent.status.lastError).toBeNull();
  expect(agent.status.failures).toBe(0);
  expect(lands('tiefighter')).toBe(true);
  expect(lands('xwing')).toBe(false);
}, 120_000);
