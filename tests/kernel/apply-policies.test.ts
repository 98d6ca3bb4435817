import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import type { Reason } from '../../src/datapath/maps/index.js';
import { reconcileNode } from '../../src/reconciler/reconcile-node.js';
import { listenTcp, pings, tcpConnects } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// Cilium policy features on real packets, each applied from YAML through
// reconcileNode. Three endpoints on one node, and an "outside" network
// (198.51.100.0/24 and 203.0.113.0/24) joined to the node by a veth.

const node = new TestNode('gwe');
const SERVER = '10.0.1.10';
const CLIENT = '10.0.1.20';
const OTHER = '10.0.1.30';
const OUT_IN = '198.51.100.2'; // inside the CIDR
const OUT_EXCEPT = '198.51.100.200'; // inside the CIDR's except
const OUT_ELSE = '203.0.113.2'; // outside the CIDR
const SERVER_PORTS = [80, 81, 7999, 8000, 8001, 8003, 8006, 8007];
const stops: Array<() => void> = [];
let outside = '';

const endpoints = () =>
  [
    endpointYaml(node, 'server', SERVER, { app: 'server' }),
    endpointYaml(node, 'client', CLIENT, { app: 'client' }),
    endpointYaml(node, 'other', OTHER, { app: 'other' }),
  ].join('---\n');

const cnp = (name: string, spec: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: default
spec:
${spec}`;

/** Applies the endpoints with these policies (and Cluster spec lines) and checks the node converged. */
async function applyPolicies(policies: readonly string[], clusterExtra = ''): Promise<void> {
  node.writeConfig({
    'cluster.yaml': clusterYaml(node, clusterExtra),
    'endpoints.yaml': endpoints(),
    ...(policies.length > 0 ? { 'policies.yaml': policies.join('---\n') } : {}),
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

const ep = (name: string) => node.endpointNetns(name);
const serverFromClient80 = () =>
  cnp(
    'server-from-client-80',
    `  endpointSelector:
    matchLabels:
      app: server
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: client
      toPorts:
        - ports:
            - port: "80"
              protocol: TCP
`,
  );
const fromOutside = (source: string, port = 80) => tcpConnects(outside, SERVER, port, source);

function counters(): Record<Reason, bigint> {
  const live = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
  try {
    const all = live.datapath.counters.read();
    return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.packets])) as Record<Reason, bigint>;
  } finally {
    live.close();
  }
}

/** Keys of the node's policy, ipcache and endpoint map entries, as the drivers read them. */
async function mapKeys(): Promise<Record<string, string[]>> {
  const live = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
  try {
    const out: Record<string, string[]> = {};
    for (const kind of ['policy', 'ipcache', 'lxc'] as const) {
      out[kind] = (await live.drivers[kind].observe()).map((e) => e.key).sort();
    }
    return out;
  } finally {
    live.close();
  }
}

beforeAll(async () => {
  outside = node.addOutside('out', {
    '198.51.100.0/24': [OUT_IN, OUT_EXCEPT],
    '203.0.113.0/24': [OUT_ELSE],
  });
  await applyPolicies([]);
  stops.push((await listenTcp(ep('server'), SERVER_PORTS)).stop);
  stops.push((await listenTcp(outside, [80])).stop);
});

afterAll(() => {
  for (const stop of stops) stop();
  node.cleanup();
});

describe('policies applied from YAML, on real packets', () => {
  it('lets everything through while no policy selects an endpoint', () => {
    expect(tcpConnects(ep('client'), SERVER, 80)).toBe(true);
    expect(fromOutside(OUT_ELSE)).toBe(true);
    expect(tcpConnects(node.netns, SERVER, 80)).toBe(true);
    expect(tcpConnects(ep('client'), OUT_EXCEPT, 80)).toBe(true);
  });

  it('CIDR with except: allows the CIDR, drops its except and addresses outside it, both directions', async () => {
    await applyPolicies([
      cnp(
        'server-from-cidr',
        `  endpointSelector:
    matchLabels:
      app: server
  ingress:
    - fromCIDRSet:
        - cidr: 198.51.100.0/24
          except:
            - 198.51.100.128/25
`,
      ),
      cnp(
        'client-to-cidr',
        `  endpointSelector:
    matchLabels:
      app: client
  egress:
    - toCIDRSet:
        - cidr: 198.51.100.0/24
          except:
            - 198.51.100.128/25
`,
      ),
    ]);
    expect(fromOutside(OUT_IN)).toBe(true);
    expect(fromOutside(OUT_EXCEPT)).toBe(false);
    expect(fromOutside(OUT_ELSE)).toBe(false);
    expect(tcpConnects(ep('other'), SERVER, 80)).toBe(false);
    expect(tcpConnects(ep('client'), OUT_IN, 80)).toBe(true);
    expect(tcpConnects(ep('client'), OUT_EXCEPT, 80)).toBe(false);
    expect(tcpConnects(ep('client'), OUT_ELSE, 80)).toBe(false);
  });

  it('entity world admits the outside network but neither the node nor cluster endpoints', async () => {
    await applyPolicies([
      cnp(
        'server-from-world',
        `  endpointSelector:
    matchLabels:
      app: server
  ingress:
    - fromEntities:
        - world
`,
      ),
    ]);
    expect(fromOutside(OUT_IN)).toBe(true);
    expect(fromOutside(OUT_ELSE)).toBe(true);
    expect(tcpConnects(node.netns, SERVER, 80)).toBe(false);
    expect(tcpConnects(ep('client'), SERVER, 80)).toBe(false);
  });

  it('entity host admits a connection from the node itself but not the outside network', async () => {
    await applyPolicies([
      cnp(
        'server-from-host',
        `  endpointSelector:
    matchLabels:
      app: server
  ingress:
    - fromEntities:
        - host
`,
      ),
    ]);
    expect(tcpConnects(node.netns, SERVER, 80)).toBe(true);
    expect(fromOutside(OUT_IN)).toBe(false);
    expect(tcpConnects(ep('client'), SERVER, 80)).toBe(false);
  });

  it('a deny overrides an allow for the same peer and port, and only there', async () => {
    await applyPolicies([
      cnp(
        'server-allow-all-endpoints',
        `  endpointSelector:
    matchLabels:
      app: server
  ingress:
    - fromEndpoints:
        - {}
  ingressDeny:
    - fromEndpoints:
        - matchLabels:
            app: client
      toPorts:
        - ports:
            - port: "80"
              protocol: TCP
`,
      ),
    ]);
    expect(tcpConnects(ep('client'), SERVER, 80)).toBe(false);
    expect(tcpConnects(ep('client'), SERVER, 81)).toBe(true);
    expect(tcpConnects(ep('other'), SERVER, 80)).toBe(true);
  });

  it('a port range (port..endPort) allows each port inside it and none outside', async () => {
    await applyPolicies([
      cnp(
        'server-port-range',
        `  endpointSelector:
    matchLabels:
      app: server
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: client
      toPorts:
        - ports:
            - port: "8001"
              endPort: 8006
              protocol: TCP
`,
      ),
    ]);
    for (const port of [8001, 8003, 8006]) expect(tcpConnects(ep('client'), SERVER, port), `port ${port}`).toBe(true);
    for (const port of [7999, 8000, 8007, 80])
      expect(tcpConnects(ep('client'), SERVER, port), `port ${port}`).toBe(false);
  });

  it('ICMP by type: an echo request is allowed, TCP to the same endpoint is not', async () => {
    await applyPolicies([
      cnp(
        'server-ping-only',
        `  endpointSelector:
    matchLabels:
      app: server
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: client
      icmps:
        - fields:
            - type: 8
              family: IPv4
`,
      ),
    ]);
    expect(pings(ep('client'), SERVER)).toBe(true);
    expect(tcpConnects(ep('client'), SERVER, 80)).toBe(false);
    expect(pings(ep('other'), SERVER)).toBe(false);
  });

  it('audit mode lets a would-be drop through and counts it as audit, not as a drop', async () => {
    const rule = serverFromClient80();
    await applyPolicies([rule]);
    expect(tcpConnects(ep('other'), SERVER, 80)).toBe(false);

    await applyPolicies([rule], '  auditMode: true\n');
    const before = counters();
    expect(tcpConnects(ep('other'), SERVER, 80)).toBe(true);
    expect(tcpConnects(ep('client'), SERVER, 80)).toBe(true);
    const after = counters();
    expect(after.audit).toBeGreaterThan(before.audit);
    expect(after['denied-default']).toBe(before['denied-default']);
    expect(after['denied-policy']).toBe(before['denied-policy']);
  });

  it('switches between two policy sets that each fit but not together, deleting the stale set first with a warning', async () => {
    // 3 endpoints × 12,000 CIDRs = 36,000 egress entries each; both sets at once would be 72,000 > 65,536.
    const set = (base: number) =>
      Array.from({ length: 12_000 }, (_, i) => `        - 100.${base + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32\n`);
    const commit = (base: number) => ({
      'cluster.yaml': clusterYaml(node),
      'endpoints.yaml': endpoints(),
      'server.yaml': serverFromClient80(),
      'many.yaml': cnp(
        'everyone-to-many-cidrs',
        `  endpointSelector: {}\n  egress:\n    - toCIDR:\n${set(base).join('')}`,
      ),
    });
    const opts = { repo: node.configDir, node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot };
    node.writeConfig(commit(64));
    expect((await reconcileNode(opts)).remaining?.changes).toEqual([]);
    node.writeConfig(commit(96));
    const r = await reconcileNode(opts);
    expect(r.remaining?.changes).toEqual([]);
    expect(r.warnings.map((w) => w.code)).toContain('W_APPLY_DELETE_FIRST');
    await applyPolicies([serverFromClient80()]);
  });

  it('refuses, before any write, a commit with more policy entries than the node holds, and keeps enforcing the last one', async () => {
    await applyPolicies([serverFromClient80()]);
    const held = await mapKeys();
    // 3 endpoints × 22,000 CIDRs = 66,000 egress entries: more than the node's 65,536.
    const cidrs = Array.from(
      { length: 22_000 },
      (_, i) => `        - 100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32\n`,
    );
    node.writeConfig({
      'cluster.yaml': clusterYaml(node),
      'endpoints.yaml': endpoints(),
      'huge.yaml': cnp('everyone-to-many-cidrs', `  endpointSelector: {}\n  egress:\n    - toCIDR:\n${cidrs.join('')}`),
    });
    await expect(
      reconcileNode({ repo: node.configDir, node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot }),
    ).rejects.toMatchObject({ code: 'E_POLICY_TOO_LARGE', data: { count: 66_000, capacity: 65_536 } });
    expect(await mapKeys()).toEqual(held);
    expect(tcpConnects(ep('client'), SERVER, 80)).toBe(true);
    expect(tcpConnects(ep('other'), SERVER, 80)).toBe(false);
  });
});
