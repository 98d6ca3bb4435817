import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { NodeDatapath } from '../../src/datapath/index.js';
import { pinLayout } from '../../src/datapath/programs/index.js';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { run } from '../support/netns.js';
import { deathstarNodeConfig, deathstarPeersYaml, deathstarServiceYaml, TestNode } from '../support/node-fixture.js';

// A no-op pass reads less than it used to (netdev takes its addresses from the
// net scan; maps without batch ops and Maglev tables are read into packed
// buffers and decoded without an object per slot);
// each test here changes one of those things behind the agent's back, on the
// node the agent keeps open across passes, and the next pass repairs it.

const node = new TestNode('pf');
const NODE_ADDR = '192.0.2.1';
let kept: NodeDatapath;
const pass = () => reconcileNode({ ...node.reconcileTarget, datapath: kept } satisfies ReconcileOptions);
const summary = (r: Awaited<ReturnType<typeof pass>>) =>
  r.changes.changes.map((c) => `${c.action} ${c.resource} ${c.key}`);

const service = deathstarServiceYaml('  algorithm: maglev\n');

const policy = deathstarPeersYaml([80]);

beforeAll(async () => {
  node.addOutside('out', { '192.0.2.0/24': ['192.0.2.100'] });
  node.writeConfig(deathstarNodeConfig(node, service, policy));
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

  it('a Maglev slot rewritten with bpftool', async () => {
    const [table] = kept.datapath.maglev.read();
    expect(table).toBeDefined();
    const ids = Buffer.from(table!.table, 'base64');
    const other = ids.readUInt32LE(0) + 1000;
    // struct gw_lb_maglev_key { __u16 rev_nat_index; __u16 pad; __u32 slot; } = { index, 0 } → backend id `other`.
    const key = Buffer.alloc(8);
    key.writeUInt16LE(table!.revNatIndex, 0);
    const value = Buffer.alloc(4);
    value.writeUInt32LE(other);
    bpftoolUpdate('gw_lb_maglev', key, value);
    expect(kept.datapath.maglev.read()[0]?.table).not.toBe(table!.table);
    const r = await pass();
    expect(summary(r)).toEqual([`update maglev ${table!.revNatIndex}`]);
    expect(r.remaining?.changes).toEqual([]);
    expect(kept.datapath.maglev.read()).toContainEqual(table);
  });

  it('a policy entry (an LPM trie, read by next-key) rewritten to deny with bpftool', async () => {
    const [entry] = kept.datapath.policy.read();
    expect(entry).toBeDefined();
    const dump = JSON.parse(run('bpftool', ['-j', 'map', 'dump', 'pinned', mapPin('gw_policy')])) as Array<{
      key: string[];
      value: string[];
    }>;
    const bytes = (hex: string[]) => Buffer.from(hex.map((h) => Number(h)));
    const row = dump.find((d) => kept.datapath.policy.keyCodec.decode(bytes(d.key)).identity === entry!.identity);
    const value = bytes(row!.value);
    const verdictAt = kept.datapath.policy.valueCodec.offsets['verdict']!;
    const deny = kept.datapath.policy.valueCodec.encode({ verdict: 'deny', proxyPort: 0, ruleId: 0 });
    value[verdictAt] = deny[verdictAt]!;
    bpftoolUpdate('gw_policy', bytes(row!.key), value);
    const r = await pass();
    expect(summary(r)).toHaveLength(1);
    expect(summary(r)[0]).toMatch(/^update policy /);
    expect(r.remaining?.changes).toEqual([]);
  });
});

function mapPin(map: string): string {
  return join(pinLayout(node.name, node.bpffsRoot).mapsDir, map);
}

function bpftoolUpdate(map: string, key: Buffer, value: Buffer): void {
  const hex = (b: Buffer) => [...b].map((x) => `0x${x.toString(16).padStart(2, '0')}`);
  run('bpftool', ['map', 'update', 'pinned', mapPin(map), 'key', ...hex(key), 'value', ...hex(value)]);
}
