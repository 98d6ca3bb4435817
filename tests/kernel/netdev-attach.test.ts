import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { run } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// The node-device programs NodePort needs are a resource kind of their own:
// compiled from the Services, planned, observed in the kernel, re-attached
// when something detaches them, and removed when no NodePort needs them.

const node = new TestNode('gwnd');
const NODE_ADDR = '192.0.2.1';
const opts = (): ReconcileOptions => ({
  repo: node.configDir,
  node: node.name,
  nodeNs: node.netns,
  bpffsRoot: node.bpffsRoot,
});

function service(type: 'NodePort' | 'ClusterIP'): string {
  return `apiVersion: gitwire.io/v1alpha1
kind: Service
metadata:
  name: deathstar
  namespace: default
spec:
  type: ${type}
  clusterIP: 10.96.0.10
  ports:
    - port: 80
${type === 'NodePort' ? '      nodePort: 30080\n' : ''}  selector:
    class: deathstar
`;
}

const config = (type: 'NodePort' | 'ClusterIP') => ({
  'cluster.yaml': clusterYaml(node),
  'deathstar.yaml': endpointYaml(node, 'deathstar-1', '10.0.1.10', { class: 'deathstar' }),
  'service.yaml': service(type),
});

/** What the netdev driver reads back from the kernel, and the pinned links behind it. */
async function observed() {
  const dp = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
  try {
    const entries = await dp.drivers.netdev.observe();
    const links = dp.datapath.netdevAttachments();
    return { keys: entries.map((e) => `${e.key} ${e.value.program}`), links };
  } finally {
    dp.close();
  }
}

beforeAll(() => {
  // The node's external device holds its address, as a NodePort needs.
  node.addOutside('out', { '192.0.2.0/24': ['192.0.2.100'] });
});

afterAll(() => node.cleanup());

describe('node-device attachments as a kind', () => {
  it('are planned and attached to the device holding the node address when a NodePort needs them', async () => {
    node.writeConfig(config('NodePort'));
    const r = await reconcileNode(opts());
    const netdev = r.changes.changes.filter((c) => c.resource === 'netdev').map((c) => `${c.action} ${c.key}`);
    expect(netdev).toEqual([`create ${NODE_ADDR}/egress`, `create ${NODE_ADDR}/ingress`]);
    expect(r.remaining?.changes).toEqual([]);
    const { keys, links } = await observed();
    expect(keys).toEqual([`${NODE_ADDR}/egress gw_to_netdev`, `${NODE_ADDR}/ingress gw_from_netdev`]);
    expect(links.map((l) => l.ifName)).toEqual(['ext-out', 'ext-out']);
  });

  it('are re-attached by the next pass after something detaches one, with nothing else written', async () => {
    const { links } = await observed();
    const ingress = links.find((l) => l.hook === 'ingress')!;
    run('bpftool', ['link', 'detach', 'id', String(ingress.linkId)]);
    expect((await observed()).keys).toEqual([`${NODE_ADDR}/egress gw_to_netdev`]);

    const r = await reconcileNode(opts());
    expect(r.changes.changes.map((c) => `${c.action} ${c.resource} ${c.key}`)).toEqual([
      `create netdev ${NODE_ADDR}/ingress`,
    ]);
    expect(r.remaining?.changes).toEqual([]);
    expect(r.writes).toBe(1);
    expect((await observed()).keys).toEqual([
      `${NODE_ADDR}/egress gw_to_netdev`,
      `${NODE_ADDR}/ingress gw_from_netdev`,
    ]);
  });

  it('are detached and unpinned when no NodePort needs them any more', async () => {
    node.writeConfig(config('ClusterIP'));
    const r = await reconcileNode(opts());
    const netdev = r.changes.changes.filter((c) => c.resource === 'netdev').map((c) => `${c.action} ${c.key}`);
    expect(netdev).toEqual([`delete ${NODE_ADDR}/egress`, `delete ${NODE_ADDR}/ingress`]);
    expect(r.remaining?.changes).toEqual([]);
    const after = await observed();
    expect(after.keys).toEqual([]);
    expect(after.links).toEqual([]);
    const tc = run('ip', ['netns', 'exec', node.netns, 'bpftool', 'net', 'show', 'dev', 'ext-out']);
    expect(tc).not.toContain('gw_from_netdev');
  });

  it('stall, naming the address, when no device of the node holds it', async () => {
    run('ip', ['-n', node.netns, 'addr', 'del', `${NODE_ADDR}/24`, 'dev', 'ext-out']);
    node.writeConfig(config('NodePort'));
    await expect(reconcileNode(opts())).rejects.toMatchObject({
      code: 'E_STALLED',
      errorKind: 'stalled',
      message: expect.stringContaining(`no device of the node holds ${NODE_ADDR}`),
    });
    expect((await observed()).links).toEqual([]);
  });
});
