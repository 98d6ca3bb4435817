import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileNode } from '../../src/reconciler/reconcile-node.js';
import { listenTcp, tcpConnects } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// A CIDR selector selects every more specific CIDR identity inside it, as in
// Cilium: allowing 0.0.0.0/0 still allows an address another rule gave its own
// identity, and a wide deny still denies an address a narrower allow names.
// Two endpoints on one node and an outside network joined to it by a veth.

const node = new TestNode('gwcd');
const SERVER = '10.0.1.10';
const CLIENT = '10.0.1.20';
const OUT_A = '198.51.100.2';
const OUT_B = '198.51.100.200'; // in an except of another rule, so it has its own identity
const DENIED = '1.2.3.4'; // inside a 1.0.0.0/8 deny and named by a /32 allow
const stops: Array<() => void> = [];
let outside = '';

const cnp = (name: string, spec: string) =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n${spec}`;

async function applyPolicies(policies: readonly string[]): Promise<void> {
  node.writeConfig({
    'cluster.yaml': clusterYaml(node),
    'endpoints.yaml': [
      endpointYaml(node, 'server', SERVER, { app: 'server' }),
      endpointYaml(node, 'client', CLIENT, { app: 'client' }),
    ].join('---\n'),
    'policies.yaml': policies.join('---\n'),
  });
  const r = await reconcileNode({
    repo: node.configDir,
    node: node.name,
    nodeNs: node.netns,
    bpffsRoot: node.bpffsRoot,
  });
  expect(r.warnings).toEqual([]);
  expect(r.remaining?.changes ?? []).toEqual([]);
}

beforeAll(async () => {
  outside = node.addOutside('out', { '198.51.100.0/24': [OUT_A, OUT_B], '1.2.3.0/24': [DENIED] });
  await applyPolicies([]);
  stops.push((await listenTcp(node.endpointNetns('server'), [80, 81])).stop);
  stops.push((await listenTcp(outside, [80])).stop);
});

afterAll(() => {
  for (const stop of stops) stop();
  node.cleanup();
});

describe('CIDR selectors cover the more specific CIDR identities inside them, on real packets', () => {
  it('allowing 0.0.0.0/0 allows an address that an except elsewhere gave its own identity', async () => {
    await applyPolicies([
      cnp(
        'world-80',
        '  endpointSelector:\n    matchLabels: {app: server}\n  ingress:\n  - fromCIDR: ["0.0.0.0/0"]\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]\n',
      ),
      cnp(
        'outside-81',
        '  endpointSelector:\n    matchLabels: {app: server}\n  ingress:\n  - fromCIDRSet:\n    - cidr: 198.51.100.0/24\n      except: ["198.51.100.200/32"]\n    toPorts: [{ports: [{port: "81", protocol: TCP}]}]\n',
      ),
    ]);
    expect(tcpConnects(outside, SERVER, 80, OUT_A)).toBe(true);
    expect(tcpConnects(outside, SERVER, 80, OUT_B)).toBe(true);
    expect(tcpConnects(outside, SERVER, 81, OUT_A)).toBe(true);
    expect(tcpConnects(outside, SERVER, 81, OUT_B)).toBe(false);
  });

  it('egressDeny to 1.0.0.0/8 wins over an allow to 1.2.3.4/32', async () => {
    await applyPolicies([
      cnp(
        'client-out',
        '  endpointSelector:\n    matchLabels: {app: client}\n  egress:\n  - toCIDR: ["1.2.3.4/32", "198.51.100.0/24"]\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]\n  egressDeny:\n  - toCIDR: ["1.0.0.0/8"]\n',
      ),
    ]);
    expect(tcpConnects(node.endpointNetns('client'), OUT_A, 80)).toBe(true);
    expect(tcpConnects(node.endpointNetns('client'), DENIED, 80)).toBe(false);
  });
});
