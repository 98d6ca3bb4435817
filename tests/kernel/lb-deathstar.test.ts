import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { renderText } from '../../src/reconciler/render/index.js';
import { createNetns, execIn, makeVethPair } from '../support/netns.js';
import { connectionLoop, endpointWithPort, heldConnections, serveName, whoAnswers } from '../support/lb-ships.js';
import { clusterYaml, starWarsL3L4, TestNode } from '../support/node-fixture.js';

// The Star Wars deathstar as a Service on one real node: gitwire compiles it
// from YAML, writes the load balancer's maps through reconcileNode, and real
// TCP connections from the tiefighter to the ClusterIP reach the backends.

const node = new TestNode('gwl');
const VIP = '10.96.0.10';
const EXTERNAL_IP = '203.0.113.10';
const NODE_ADDR = '192.0.2.1';
const OUTSIDE_ADDR = '192.0.2.100';
const NODE_PORT = 30080;
const processes: ChildProcess[] = [];
const outsideNs = node.endpointNetns('outside', 'net');
const opts = (): ReconcileOptions => ({
  repo: node.configDir,
  node: node.name,
  nodeNs: node.netns,
  bpffsRoot: node.bpffsRoot,
});

const endpoint = (name: string, address: string, labels: Record<string, string>, port = 0) =>
  endpointWithPort(node, name, address, labels, port);

const DEATHSTAR = `apiVersion: gitwire.io/v1alpha1
kind: Service
metadata:
  name: deathstar
  namespace: default
spec:
  type: NodePort
  clusterIP: ${VIP}
  externalIPs: [${EXTERNAL_IP}]
  ports:
    - port: 80
      targetPort: http
      nodePort: ${NODE_PORT}
  selector:
    org: empire
    class: deathstar
`;

/** The repository: two deathstars behind the service (the second one optionally retired from it). */
function config(opts: { retireSecond?: boolean; policy?: boolean } = {}): Record<string, string> {
  return {
    'cluster.yaml': clusterYaml(node),
    'ships.yaml': [
      endpoint('deathstar-1', '10.0.1.10', { org: 'empire', class: 'deathstar' }, 80),
      endpoint('deathstar-2', '10.0.1.11', { org: 'empire', class: opts.retireSecond ? 'retired' : 'deathstar' }, 80),
      endpoint('tiefighter', '10.0.1.20', { org: 'empire', class: 'tiefighter' }),
      endpoint('xwing', '10.0.1.30', { org: 'alliance', class: 'xwing' }),
    ].join('---\n'),
    'deathstar-service.yaml': DEATHSTAR,
    ...(opts.policy ? { 'rule1.yaml': starWarsL3L4() } : {}),
  };
}

const tiefighter = () => node.endpointNetns('tiefighter');

beforeAll(async () => {
  createNetns(outsideNs);
  makeVethPair(
    { netns: node.netns, name: `gwl${process.pid % 100000}n`, addresses: [`${NODE_ADDR}/24`] },
    { netns: outsideNs, name: 'eth0', addresses: [`${OUTSIDE_ADDR}/24`] },
  );
  node.writeConfig(config());
  const first = await reconcileNode(opts());
  expect(first.remaining?.changes).toEqual([]);
  for (const ship of ['deathstar-1', 'deathstar-2']) processes.push(await serveName(node.endpointNetns(ship), ship));
});

afterAll(() => {
  for (const p of processes) p.kill('SIGKILL');
  node.cleanup();
});

describe('the deathstar service on a real node', () => {
  it('spreads connections from the tiefighter to the ClusterIP over both deathstars', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 24; i++) seen.add(whoAnswers(tiefighter(), VIP));
    expect([...seen].sort()).toEqual(['deathstar-1', 'deathstar-2']);
  });

  it('reaches the backends through the ExternalIP from an endpoint, and the NodePort and ExternalIP from outside the node', () => {
    expect(whoAnswers(tiefighter(), EXTERNAL_IP)).toMatch(/^deathstar-[12]$/);
    const outside = new Set<string>();
    for (let i = 0; i < 12; i++) outside.add(whoAnswers(outsideNs, NODE_ADDR, NODE_PORT));
    expect([...outside].sort()).toEqual(['deathstar-1', 'deathstar-2']);
    // A router outside sends the ExternalIP to the node.
    execIn(outsideNs, ['ip', 'route', 'replace', `${EXTERNAL_IP}/32`, 'via', NODE_ADDR]);
    expect(whoAnswers(outsideNs, EXTERNAL_IP)).toMatch(/^deathstar-[12]$/);
  });

  it('applying the same commit again performs zero kernel writes, also after the agent restarts', async () => {
    const again = await reconcileNode(opts());
    expect(again.changes.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });

  it('with one backend removed from git, sends every new connection to the other and lets existing ones finish', async () => {
    // Open connections; some land on deathstar-2, which then leaves the service.
    const held = heldConnections(tiefighter(), VIP);
    processes.push(held.process);
    const first = await held.opened;
    expect(first).toContain('deathstar-2');

    node.writeConfig(config({ retireSecond: true }));
    const r = await reconcileNode(opts());
    expect(renderText(r.changes)).toContain(`~ service default/deathstar ${VIP}:80/TCP  backends -10.0.1.11:80`);
    expect(r.remaining?.changes).toEqual([]);

    const answers = await held.ping();
    expect(answers).toEqual(first.map((ship) => `${ship}:ping`));
    for (let i = 0; i < 12; i++) expect(whoAnswers(tiefighter(), VIP)).toBe('deathstar-1');
  });

  it('applies the deathstar policy to translated traffic: the tiefighter lands, the xwing does not', async () => {
    node.writeConfig(config({ retireSecond: true, policy: true }));
    const r = await reconcileNode(opts());
    expect(r.remaining?.changes).toEqual([]);
    expect(whoAnswers(tiefighter(), VIP)).toBe('deathstar-1');
    expect(whoAnswers(node.endpointNetns('xwing'), VIP)).toBe('none');
  });

  it('keeps answering new connections while its backend set changes again and again', async () => {
    const loop = connectionLoop(tiefighter(), VIP);
    for (const retireSecond of [false, true, false, true]) {
      node.writeConfig(config({ retireSecond, policy: true }));
      const r = await reconcileNode(opts());
      expect(r.remaining?.changes).toEqual([]);
    }
    const { ok, failed } = await loop.stop();
    expect(failed).toBe(0);
    expect(ok).toBeGreaterThan(0);
  });
});
