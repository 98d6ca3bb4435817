import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { endpointWithPort, heldConnections, serveName, whoAnswers } from '../support/lb-ships.js';
import { clusterYaml, TestNode } from '../support/node-fixture.js';

// Backend states and session affinity, declared in git and applied through
// reconcileNode, on real connections: a terminating backend keeps its
// connections and takes new ones only when no active backend is left; a
// ClientIP service keeps a client on one backend; a service left without
// backends drops new connections under its own reason.

const node = new TestNode('gwl');
const VIP = '10.96.0.20';
const AFFINE_VIP = '10.96.0.21';
const processes: ChildProcess[] = [];
const opts = (): ReconcileOptions => ({
  repo: node.configDir,
  node: node.name,
  nodeNs: node.netns,
  bpffsRoot: node.bpffsRoot,
});

type State = 'active' | 'terminating' | 'gone';

function config(one: State, two: State): Record<string, string> {
  const backends = [
    ['10.0.1.10', one],
    ['10.0.1.11', two],
  ]
    .filter(([, s]) => s !== 'gone')
    .map(([a, s]) => `    - address: ${a}\n      port: 80\n      state: ${s}\n`)
    .join('');
  return {
    'cluster.yaml': clusterYaml(node),
    'ships.yaml': [
      endpointWithPort(node, 'deathstar-1', '10.0.1.10', { org: 'empire', class: 'deathstar' }, 80),
      endpointWithPort(node, 'deathstar-2', '10.0.1.11', { org: 'empire', class: 'deathstar' }, 80),
      endpointWithPort(node, 'tiefighter', '10.0.1.20', { org: 'empire', class: 'tiefighter' }),
    ].join('---\n'),
    'services.yaml': `apiVersion: gitwire.io/v1alpha1
kind: Service
metadata:
  name: exhaust-port
  namespace: default
spec:
  clusterIP: ${VIP}
  ports:
    - port: 80
  backends:
${backends || '    []\n'}---
apiVersion: gitwire.io/v1alpha1
kind: Service
metadata:
  name: tractor-beam
  namespace: default
spec:
  clusterIP: ${AFFINE_VIP}
  sessionAffinity: ClientIP
  sessionAffinityTimeoutSeconds: 600
  ports:
    - port: 80
      targetPort: http
  selector:
    class: deathstar
`,
  };
}

const tiefighter = () => node.endpointNetns('tiefighter');
const answers = (address: string, n: number) => Array.from({ length: n }, () => whoAnswers(tiefighter(), address));

async function applyConfig(one: State, two: State): Promise<void> {
  node.writeConfig(config(one, two));
  const r = await reconcileNode(opts());
  expect(r.remaining?.changes).toEqual([]);
}

beforeAll(async () => {
  await applyConfig('active', 'active');
  for (const ship of ['deathstar-1', 'deathstar-2']) processes.push(await serveName(node.endpointNetns(ship), ship));
});

afterAll(() => {
  for (const p of processes) p.kill('SIGKILL');
  node.cleanup();
});

describe('backend states on a real node', () => {
  it('keeps connections to a terminating backend and sends new ones to the active one, until none is active', async () => {
    const held = heldConnections(tiefighter(), VIP);
    processes.push(held.process);
    const first = await held.opened;
    expect(first).toContain('deathstar-2');

    await applyConfig('active', 'terminating');
    expect(new Set(answers(VIP, 10))).toEqual(new Set(['deathstar-1']));
    expect(await held.ping()).toEqual(first.map((ship) => `${ship}:ping`));

    await applyConfig('gone', 'terminating');
    expect(new Set(answers(VIP, 6))).toEqual(new Set(['deathstar-2']));
  });

  it('drops new connections to a service without backends and counts them as lb-no-backend', async () => {
    await applyConfig('gone', 'gone');
    const live = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
    try {
      const before = live.datapath.counters.read()['lb-no-backend'].packets;
      expect(whoAnswers(tiefighter(), VIP)).toBe('none');
      expect(live.datapath.counters.read()['lb-no-backend'].packets).toBeGreaterThan(before);
    } finally {
      live.close();
    }
  });
});

describe('session affinity on a real node', () => {
  it('keeps every connection of a ClientIP client on one backend', () => {
    // A connection that times out on a loaded machine answers 'none'; affinity is about who answers.
    const seen = answers(AFFINE_VIP, 12).filter((who) => who !== 'none');
    expect(seen.length).toBeGreaterThanOrEqual(9);
    expect(seen[0]).toMatch(/^deathstar-[12]$/);
    expect(new Set(seen).size).toBe(1);
  });
});
