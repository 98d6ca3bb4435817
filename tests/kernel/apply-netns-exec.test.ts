import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileNode } from '../../src/reconciler/reconcile-node.js';
import { gitwire } from '../support/cli.js';
import { listenTcp, tcpConnects } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// The README's second form, `ip netns exec NODE gitwire apply …`: gitwire then
// starts in a private mount namespace with a fresh /sys. Its pins must land
// in the machine's bpffs, so enforcement outlives the process.

const node = new TestNode('gwx');
const SERVER = '10.0.1.10';
const stops: Array<() => void> = [];

const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: server-from-client
  namespace: default
spec:
  endpointSelector: {matchLabels: {app: server}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: client}}]
      toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`;

/** `ip netns exec <node> gitwire apply --repo … --node …` with no --netns and no --bpffs-root, as the README shows. */
async function applyUnderNetnsExec(): Promise<{ writes: number; changes: unknown[] }> {
  const r = await gitwire(['apply', '--repo', node.configDir, '--node', node.name, '--output', 'json'], {
    netns: node.netns,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { writes: number; changes: unknown[] };
}

beforeAll(() => {
  node.writeConfig({
    'cluster.yaml': clusterYaml(node),
    'endpoints.yaml': [
      endpointYaml(node, 'server', SERVER, { app: 'server' }),
      endpointYaml(node, 'client', '10.0.1.20', { app: 'client' }),
      endpointYaml(node, 'other', '10.0.1.30', { app: 'other' }),
    ].join('---\n'),
    'policy.yaml': policy,
  });
});

afterAll(() => {
  for (const stop of stops) stop();
  node.cleanup();
});

describe('gitwire apply under ip netns exec', () => {
  it('keeps enforcing after the process exits, and a second apply writes nothing', async () => {
    const first = await applyUnderNetnsExec();
    expect(first.writes).toBeGreaterThan(0);
    expect(existsSync(join(node.defaultPinDir, 'maps', 'gw_policy'))).toBe(true);

    // The apply process has exited: what it attached must still decide.
    stops.push((await listenTcp(node.endpointNetns('server'), [80])).stop);
    expect(tcpConnects(node.endpointNetns('client'), SERVER, 80)).toBe(true);
    expect(tcpConnects(node.endpointNetns('other'), SERVER, 80)).toBe(false);

    const live = await reconcileNode({ repo: node.configDir, node: node.name, nodeNs: node.netns, dryRun: true });
    expect(live.changes.changes).toEqual([]);
    const second = await applyUnderNetnsExec();
    expect(second.changes).toEqual([]);
    expect(second.writes).toBe(0);
  });
});
