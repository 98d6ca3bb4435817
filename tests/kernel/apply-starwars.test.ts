import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { createNetns, deleteNetns, run, spawnIn, tcpConnects } from '../support/netns.js';
import { clusterYaml, endpointYaml, starWarsL3L4, TestNode } from '../support/node-fixture.js';
import type { ChildProcess } from 'node:child_process';

// Cilium's Star Wars demo on one real node: gitwire plumbs the three ships,
// attaches its programs and enforces rule1 on real TCP connections.

const node = new TestNode('gwa');
const DEATHSTAR = '10.0.1.10';
const servers: ChildProcess[] = [];
const opts = (): ReconcileOptions => ({
  repo: node.configDir,
  node: node.name,
  nodeNs: node.netns,
  bpffsRoot: node.bpffsRoot,
});

const ships = () => ({
  'cluster.yaml': clusterYaml(node),
  'ships.yaml': [
    endpointYaml(node, 'deathstar', DEATHSTAR, { org: 'empire', class: 'deathstar' }),
    endpointYaml(node, 'tiefighter', '10.0.1.20', { org: 'empire', class: 'tiefighter' }),
    endpointYaml(node, 'xwing', '10.0.1.30', { org: 'alliance', class: 'xwing' }),
  ].join('---\n'),
});

const lands = (ship: string): boolean => tcpConnects(node.endpointNetns(ship), DEATHSTAR, 80);

beforeAll(async () => {
  node.writeConfig(ships());
  const first = await reconcileNode(opts());
  expect(first.remaining?.changes).toEqual([]);
  servers.push(spawnIn(node.endpointNetns('deathstar'), ['nc', '-lk', '80']));
  await new Promise((r) => setTimeout(r, 300));
});

afterAll(() => {
  for (const s of servers) s.kill('SIGKILL');
  node.cleanup();
});

describe('Star Wars demo on one node', () => {
  it('lets every ship land while no policy selects the deathstar', () => {
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(true);
  });

  it('with rule1 applied, lets the tiefighter land on TCP/80 and drops the xwing', async () => {
    node.writeConfig({ ...ships(), 'rule1.yaml': starWarsL3L4() });
    const r = await reconcileNode(opts());
    expect(r.changes.byResource.policy?.create).toBeGreaterThan(0);
    expect(r.remaining?.changes).toEqual([]);
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
  });

  it('applying the same commit again performs zero kernel writes', async () => {
    const again = await reconcileNode(opts());
    expect(again.changes.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });

  it('shows drift done behind its back in a live plan, then repairs it', async () => {
    const live = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
    let policyKey: string;
    let ifName: string;
    try {
      const policy = await live.drivers.policy.observe();
      const stolen = policy.find((e) => e.value.verdict === 'allow' && e.value.port === 80)!;
      policyKey = stolen.key;
      live.datapath.policy.erase([stolen.value]);
      const lxc = (await live.drivers.lxc.observe()).find((e) => e.key === DEATHSTAR)!;
      ifName = lxc.value.ifName;
      live.datapath.endpoints.put(DEATHSTAR, { ...lxc.value, ifindex: 0, identity: 7 });
      live.datapath.detach(ifName, ['egress']);
    } finally {
      live.close();
    }
    expect(lands('tiefighter')).toBe(true); // nothing enforces ingress on the deathstar any more

    const dry = await reconcileNode({ ...opts(), dryRun: true });
    const seen = dry.changes.changes.map((c) => `${c.action} ${c.resource} ${c.key}`).sort();
    expect(seen).toEqual(
      [`create policy ${policyKey}`, `update lxc ${DEATHSTAR}`, `create program ${ifName}/egress`].sort(),
    );
    expect(dry.writes).toBe(0);

    const fixed = await reconcileNode(opts());
    expect(fixed.remaining?.changes).toEqual([]);
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
  });

  it('removes the empty namespace a crash leaves before plumbing an endpoint that is no longer declared', async () => {
    const ghost = node.endpointNetns('ghost');
    createNetns(ghost);
    run('ip', ['-n', ghost, 'link', 'set', 'lo', 'down']);
    // Named like gitwire's, but in use (lo up): not a crash trace, so not gitwire's to remove.
    const keptByOthers = node.endpointNetns('busy');
    createNetns(keptByOthers);
    try {
      const r = await reconcileNode(opts());
      expect(r.changes.changes).toEqual([]);
      expect(r.writes).toBe(1);
      const left = run('ip', ['netns', 'list']);
      expect(left).not.toContain(ghost);
      expect(left).toContain(keptByOthers);
      expect(left).toContain(node.endpointNetns('deathstar'));
    } finally {
      deleteNetns(ghost);
      deleteNetns(keptByOthers);
    }
  });

  it('removing the policy from git lets the xwing land again', async () => {
    node.writeConfig(ships());
    const r = await reconcileNode(opts());
    expect(r.changes.byResource.policy?.delete).toBeGreaterThan(0);
    expect(lands('xwing')).toBe(true);
  });
});
