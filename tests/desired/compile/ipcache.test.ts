import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import { buildClusterProgram, type ClusterProgram } from '../../../src/desired/compile/cluster-program.js';
import { sortEntries } from '../../../src/desired/compile/sorted-entries.js';
import type { Entry, IpcacheValue } from '../../../src/desired/desired-state.js';
import { RESERVED_IDENTITIES } from '../../../src/desired/identity/index.js';
import { ModelBuilder, twoNodeCluster } from '../../support/model-builder.js';

describe('compile: ipcache entries of node gateways', () => {
  const model = twoNodeCluster().endpoint('a', 'n1', { address: '10.0.1.10' }).build();
  const ipcache = (node: string) => new Map(compile(model, node).resources.ipcache.map((e) => [e.key, e]));

  it("maps this node's gateway to the host identity, as Cilium maps its router IP", () => {
    expect(ipcache('n1').get('10.0.1.1/32')).toMatchObject({
      value: { prefix: '10.0.1.1/32', identity: 1, tunnelEndpoint: null },
      label: 'gateway of n1',
    });
  });

  it("maps another node's gateway to remote-node, reached through that node", () => {
    expect(ipcache('n1').get('10.0.2.1/32')?.value).toEqual({
      prefix: '10.0.2.1/32',
      identity: 6,
      tunnelEndpoint: '192.168.1.2',
    });
    expect(ipcache('n2').get('10.0.1.1/32')?.value).toEqual({
      prefix: '10.0.1.1/32',
      identity: 6,
      tunnelEndpoint: '192.168.1.1',
    });
  });

  it('lets an endpoint declared on a gateway address keep its own identity', () => {
    const odd = twoNodeCluster().endpoint('gw', 'n1', { address: '10.0.1.1' }).build();
    const s = compile(odd, 'n1');
    const ep = s.resources.endpoint.find((e) => e.key === 'default/gw')!.value;
    expect(s.resources.ipcache.find((e) => e.key === '10.0.1.1/32')?.value.identity).toBe(ep.identity);
  });
});

/** The ipcache by its definition: every source put in order into one map (later wins), then sorted by key. */
function byDefinition(program: ClusterProgram, node: string): Entry<IpcacheValue>[] {
  const { view, policy } = program;
  const map = new Map<string, Entry<IpcacheValue>>();
  const put = (prefix: string, identity: number, tunnelEndpoint: string | null, label: string) =>
    map.set(prefix, { key: prefix, value: { prefix, identity, tunnelEndpoint }, label });
  if (policy.worldPrefixUsed) put('0.0.0.0/0', RESERVED_IDENTITIES.world, null, 'world');
  for (const [prefix, id] of policy.cidrIdentities) put(prefix, id, null, `cidr:${prefix}`);
  const tunnel = view.cluster.spec.routingMode === 'tunnel';
  for (const n of view.nodes.values()) {
    const self = n.name === node;
    if (tunnel && !self)
      put(
        n.podCidrText,
        map.get(n.podCidrText)?.value.identity ?? RESERVED_IDENTITIES.world,
        n.address,
        `pod CIDR of ${n.name}`,
      );
    const identity = self ? RESERVED_IDENTITIES.host : RESERVED_IDENTITIES['remote-node'];
    put(`${n.address}/32`, identity, null, `node ${n.name}`);
    put(`${n.gateway}/32`, identity, self ? null : n.address, `gateway of ${n.name}`);
  }
  for (const e of view.endpoints)
    put(`${e.address}/32`, e.identity, e.node.name === node ? null : e.node.address, e.key);
  return sortEntries(map.values());
}

describe('compile: the ipcache shared by every node', () => {
  // Sources that overlap: a policy CIDR on a pod CIDR and on an endpoint, endpoints on a gateway and on a node's address.
  const crowded = (routingMode: 'tunnel' | 'native') =>
    new ModelBuilder()
      .cluster({ routingMode })
      .node('n1', '192.168.1.1', '10.0.1.0/24')
      .node('n2', '192.168.1.2', '10.0.2.0/24')
      .node('n3', '192.168.1.3', '10.0.3.0/24')
      .endpoint('a', 'n1', { address: '10.0.1.10', labels: { app: 'a' } })
      .endpoint('b', 'n2', { address: '10.0.2.10', labels: { app: 'b' } })
      .endpoint('gw', 'n2', { address: '10.0.3.1', labels: { app: 'gw' } })
      .endpoint('host', 'n3', { address: '192.168.1.1', labels: { app: 'host' } })
      .policy('cidrs', {
        endpointSelector: {},
        egress: [{ toCIDR: ['10.0.2.0/24', '10.0.1.10/32', '0.0.0.0/0', '172.16.0.0/12'] }],
      })
      .build();

  it.each(['tunnel', 'native'] as const)('gives each node what its own compile by definition gives (%s)', (mode) => {
    const model = crowded(mode);
    const program = buildClusterProgram(model);
    for (const node of ['n1', 'n2', 'n3']) {
      const expected = byDefinition(program, node);
      expect(program.ipcache().forNode(program.view.nodes.get(node)!)).toEqual(expected);
      expect(compile(model, node).resources.ipcache).toEqual(expected);
    }
  });

  it("shares the entries that do not depend on the node, and leaves out a node's own pod CIDR in tunnel mode", () => {
    const program = buildClusterProgram(crowded('tunnel'));
    const [n1, n3] = ['n1', 'n3'].map((n) => program.ipcache().forNode(program.view.nodes.get(n)!));
    const far = n1!.find((e) => e.key === '172.16.0.0/12');
    expect(far).toBe(n3!.find((e) => e.key === '172.16.0.0/12'));
    expect(n3!.some((e) => e.key === '10.0.3.0/24')).toBe(false);
    expect(n1!.find((e) => e.key === '10.0.3.0/24')?.value.tunnelEndpoint).toBe('192.168.1.3');
    // A policy names n2's pod CIDR: on n2 that entry stays, as the policy's CIDR.
    const n2 = program.ipcache().forNode(program.view.nodes.get('n2')!);
    expect(n2.find((e) => e.key === '10.0.2.0/24')).toMatchObject({
      label: 'cidr:10.0.2.0/24',
      value: { tunnelEndpoint: null },
    });
  });
});
