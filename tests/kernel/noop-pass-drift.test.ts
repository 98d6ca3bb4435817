import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { run } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// A no-op pass reads less than it used to (netdev takes its addresses from the
// net scan, Maglev tables are read without decoding each slot into an object);
// each test here changes one of those things behind the agent's back, on the
// node the agent keeps open across passes, and the next pass repairs it.

const node = new TestNode('pf');
const NODE_ADDR = '192.0.2.1';
let kept: NodeDatapath;
const pass = () =>
  reconcileNode({
    repo: node.configDir,
    node: node.name,
    nodeNs: node.netns,
    bpffsRoot: node.bpffsRoot,
    datapath: kept,
  } satisfies ReconcileOptions);
const summary = (r: Awaited<ReturnType<typeof pass>>) =>
  r.changes.changes.map((c) => `${c.action} ${c.resource} ${c.key}`);

const service = `apiVersion: gitwire.io/v1alpha1
kind: Service
metadata:
  name: deathstar
  namespace: default
spec:
  type: NodePort
  clusterIP: 10.96.0.10
  algorithm: maglev
  ports:
    - port: 80
      nodePort: 30080
  selector:
    class: deathstar
`;

beforeAll(async () => {
  node.addOutside('out', { '192.0.2.0/24': ['192.0.2.100'] });
  node.writeConfig({
    'cluster.yaml': clusterYaml(node),
    'ds1.yaml': endpointYaml(node, 'deathstar-1', '10.0.1.10', { class: 'deathstar' }),
    'ds2.yaml': endpointYaml(node, 'deathstar-2', '10.0.1.11', { class: 'deathstar' }),
    'service.yaml': service,
  });
  kept = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
  const first = await pass();
  expect(first.remaining?.changes).toEqual([]);
  const again = await pass();
  expect(again.writes).toBe(0);
  expect(summary(again)).toEqual([]);
});

afterAll(() => {
  kept?.close();
  node.cleanup();
});

describe('a no-op pass of a kept node still repairs', () => {
  it('the node-device programs when the node address moves to another device', async () => {
    run('ip', ['-n', node.netns, 'link', 'add', 'pfdum', 'type', 'veth', 'peer', 'name', 'pfdum-p']);
    run('ip', ['-n', node.netns, 'addr', 'del', `${NODE_ADDR}/24`, 'dev', 'ext-out']);
    run('ip', ['-n', node.netns, 'addr', 'add', `${NODE_ADDR}/24`, 'dev', 'pfdum']);
    const r = await pass();
    expect(summary(r)).toEqual([`create netdev ${NODE_ADDR}/egress`, `create netdev ${NODE_ADDR}/ingress`]);
    expect(r.remaining?.changes).toEqual([]);
    const on = kept.datapath.netdevAttachments().filter((a) => a.ifName === 'pfdum');
    expect(on.map((a) => a.hook).sort()).toEqual(['egress', 'ingress']);
    expect(summary(await pass())).toEqual([]);
  });
});
