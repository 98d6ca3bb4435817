import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { EventReader, type DatapathEvent } from '../../src/datapath/maps/index.js';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { run, makeVethPair, listenTcp, tcpConnects, pings } from '../support/netns.js';
import { endpointYaml, starWarsL3L4, TestNode } from '../support/node-fixture.js';

// Star Wars across two nodes over the collect-metadata VXLAN device: node A
// sends with its ships' identities in the VNI and node B enforces on them,
// even when B's ipcache says otherwise (nodes on different revisions).

const a = new TestNode('gwva');
const b = new TestNode('gwvb');
const DEATHSTAR = '10.0.2.10';
const TIEFIGHTER = '10.0.1.20';
const XWING = '10.0.1.30';
const VXLAN = 'gitwire_vxlan';
let listener: { stop: () => void } | undefined;

const nodeYaml = (n: TestNode, address: string, podCidr: string) => `apiVersion: gitwire.io/v1alpha1
kind: Node
metadata:
  name: ${n.name}
spec:
  address: ${address}
  podCIDR: ${podCidr}
`;

const cluster = `apiVersion: gitwire.io/v1alpha1
kind: Cluster
metadata:
  name: test
spec:
  clusterCIDR: 10.0.0.0/16
  routingMode: tunnel
  tunnel:
    protocol: vxlan
  mtu: 1500
---
${nodeYaml(a, '192.0.2.1', '10.0.1.0/24')}---
${nodeYaml(b, '192.0.2.2', '10.0.2.0/24')}`;

const files = () => ({
  'cluster.yaml': cluster,
  'ships.yaml': [
    endpointYaml(b, 'deathstar', DEATHSTAR, { org: 'empire', class: 'deathstar' }),
    endpointYaml(a, 'tiefighter', TIEFIGHTER, { org: 'empire', class: 'tiefighter' }),
    endpointYaml(a, 'xwing', XWING, { org: 'alliance', class: 'xwing' }),
  ].join('---\n'),
  'rule1.yaml': starWarsL3L4(),
});

const opts = (n: TestNode): ReconcileOptions => ({
  repo: n.configDir,
  node: n.name,
  nodeNs: n.netns,
  bpffsRoot: n.bpffsRoot,
});
const lands = (ship: string): boolean => tcpConnects(a.endpointNetns(ship), DEATHSTAR, 80);

function withLive<T>(n: TestNode, fn: (live: NodeDatapath) => T): T {
  const live = NodeDatapath.open({ node: n.name, nodeNs: n.netns, bpffsRoot: n.bpffsRoot });
  try {
    return fn(live);
  } finally {
    live.close();
  }
}

/** Identity B's ipcache holds for an address, and the identity A's endpoint map gives it. */
const ipcacheIdentity = (n: TestNode, addr: string) =>
  withLive(n, (l) => l.datapath.ipcache.read().find((v) => v.prefix === `${addr}/32`)?.identity);
const endpointIdentity = (addr: string) =>
  withLive(a, (l) => l.datapath.endpoints.dump().find(([k]) => k === addr)?.[1].identity);

beforeAll(async () => {
  makeVethPair(
    { netns: a.netns, name: 'underlay', addresses: ['192.0.2.1/24'] },
    { netns: b.netns, name: 'underlay', addresses: ['192.0.2.2/24'] },
  );
  for (const n of [a, b]) {
    n.writeConfig(files());
    const r = await reconcileNode(opts(n));
    expect(r.remaining?.changes).toEqual([]);
  }
  listener = await listenTcp(b.endpointNetns('deathstar'), [80]);
});

afterAll(() => {
  listener?.stop();
  a.cleanup();
  b.cleanup();
});

describe('the sender identity in the VXLAN VNI', () => {
  it('makes the VXLAN device collect-metadata, with no FDB entry and the overlay programs attached', () => {
    const [dev] = JSON.parse(run('ip', ['-n', b.netns, '-d', '-j', 'link', 'show', 'dev', VXLAN])) as {
      mtu: number;
      linkinfo: { info_data: { external?: boolean } };
    }[];
    expect(dev?.linkinfo.info_data.external).toBe(true);
    expect(dev?.mtu).toBe(1450);
    const fdb = JSON.parse(run('bridge', ['-n', b.netns, '-j', 'fdb', 'show', 'dev', VXLAN])) as { dst?: string }[];
    expect(fdb.filter((f) => f.dst !== undefined)).toEqual([]);
    const attached = withLive(b, (l) =>
      l.datapath
        .attachments()
        .filter((x) => x.ifName === VXLAN)
        .map((x) => [x.hook, l.datapath.programOf(x.progId)]),
    );
    expect(attached.sort()).toEqual([
      ['egress', 'gw_to_overlay'],
      ['ingress', 'gw_from_overlay'],
    ]);
  });

  it('lands the tiefighter on the deathstar across nodes and B drops the xwing', () => {
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
    // B to A crosses the overlay too (nothing selects the tiefighter): B's egress program encapsulates it.
    expect(pings(b.endpointNetns('deathstar'), TIEFIGHTER)).toBe(true);
  });

  it("B enforces on the identity in the VNI when its ipcache maps the ships to each other's identities", () => {
    const tie = endpointIdentity(TIEFIGHTER)!;
    const xwing = endpointIdentity(XWING)!;
    expect(ipcacheIdentity(b, XWING)).toBe(xwing);
    // A revision of B that does not know the ships yet, or knows them wrongly:
    // the xwing's address is a tiefighter to B's ipcache, the tiefighter's the world.
    withLive(b, (l) =>
      l.datapath.ipcache.write([
        { prefix: `${XWING}/32`, identity: tie, tunnelEndpoint: '192.0.2.1' },
        { prefix: `${TIEFIGHTER}/32`, identity: 2, tunnelEndpoint: '192.0.2.1' },
      ]),
    );
    expect(ipcacheIdentity(b, XWING)).toBe(tie);
    const events: DatapathEvent[] = [];
    withLive(b, (l) => {
      const reader = new EventReader(l.datapath.events, (e) => events.push(e));
      try {
        reader.drain();
        events.length = 0;
        expect(lands('xwing')).toBe(false);
        expect(lands('tiefighter')).toBe(true);
        reader.drain();
      } finally {
        reader.close();
      }
    });
    // B's events name the identities the VNI carried, not its ipcache's.
    const seen = (addr: string) => events.filter((e) => e.saddr === addr && e.daddr === DEATHSTAR && e.dport === 80);
    expect(seen(XWING).map((e) => [e.type, e.srcIdentity])).toContainEqual(['drop', xwing]);
    expect(seen(XWING).every((e) => e.srcIdentity === xwing)).toBe(true);
    expect(seen(TIEFIGHTER).map((e) => [e.type, e.srcIdentity])).toContainEqual(['verdict', tie]);
    expect(seen(TIEFIGHTER).every((e) => e.srcIdentity === tie && e.type !== 'drop')).toBe(true);
  });

  it("A still tunnels to the deathstar when its ipcache lacks the deathstar's address (the remote pod CIDR names B)", () => {
    withLive(a, (l) => l.datapath.ipcache.erase([`${DEATHSTAR}/32`]));
    expect(ipcacheIdentity(a, DEATHSTAR)).toBeUndefined();
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
  });

  it('replaces a VXLAN device of the previous release (VNI 2, FDB per node) and re-attaches the overlay programs', async () => {
    const [old] = JSON.parse(run('ip', ['-n', b.netns, '-j', 'link', 'show', 'dev', VXLAN])) as {
      ifalias: string;
      address: string;
    }[];
    run('ip', ['-n', b.netns, 'link', 'del', VXLAN]);
    run(
      'ip',
      ['-n', b.netns, 'link', 'add', VXLAN, 'mtu', '1450', 'address', old!.address, 'type', 'vxlan'].concat([
        'id',
        '2',
        'dstport',
        '8472',
        'local',
        '192.0.2.2',
        'nolearning',
      ]),
    );
    run('ip', ['-n', b.netns, 'link', 'set', 'dev', VXLAN, 'alias', old!.ifalias, 'up']);
    run('bridge', [
      '-n',
      b.netns,
      'fdb',
      'append',
      '0a:67:c0:00:02:01',
      'dev',
      VXLAN,
      'dst',
      '192.0.2.1',
      'self',
      'permanent',
    ]);
    expect(lands('tiefighter')).toBe(false);
    expect((await reconcileNode(opts(b))).remaining?.changes).toEqual([]);
    const [dev] = JSON.parse(run('ip', ['-n', b.netns, '-d', '-j', 'link', 'show', 'dev', VXLAN])) as {
      linkinfo: { info_data: { external?: boolean } };
    }[];
    expect(dev?.linkinfo.info_data.external).toBe(true);
    expect(lands('tiefighter')).toBe(true);
    expect(lands('xwing')).toBe(false);
  });

  it('a second apply of both nodes writes nothing once they are repaired', async () => {
    for (const n of [a, b]) expect((await reconcileNode(opts(n))).remaining?.changes ?? []).toEqual([]);
    for (const n of [a, b]) {
      const again = await reconcileNode(opts(n));
      expect(again.changes.changes).toEqual([]);
      expect(again.writes).toBe(0);
    }
  });
});
