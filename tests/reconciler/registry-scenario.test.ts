import { describe, expect, it } from 'vitest';
import type { Drivers } from '../../src/datapath/index.js';
import { compile } from '../../src/desired/compile.js';
import type { DesiredState, Entry, ObservedState } from '../../src/desired/desired-state.js';
import { DRIVEN_KINDS, type DrivenKind } from '../../src/desired/kinds/index.js';
import { apply } from '../../src/reconciler/apply.js';
import { plan } from '../../src/reconciler/plan.js';
import { twoNodeCluster } from '../support/model-builder.js';

/** A node held in memory: one table per driven kind, and a history of `update kind key` / `delete kind key`. */
class FakeNode {
  readonly tables = new Map<DrivenKind, Map<string, Entry<unknown>>>(DRIVEN_KINDS.map((k) => [k, new Map()]));
  readonly history: string[] = [];
  readonly drivers: Drivers;

  constructor() {
    this.drivers = Object.fromEntries(DRIVEN_KINDS.map((k) => [k, this.ops(k)])) as unknown as Drivers;
  }

  async observe(): Promise<ObservedState> {
    const resources = Object.fromEntries(
      await Promise.all(DRIVEN_KINDS.map(async (k) => [k, await this.drivers[k].observe()])),
    );
    return { node: 'n1', resources };
  }

  private ops(kind: DrivenKind) {
    const table = this.tables.get(kind)!;
    const updateMany = async (entries: readonly Entry<unknown>[]) => {
      for (const e of entries) {
        table.set(e.key, { key: e.key, value: e.value });
        this.history.push(`update ${kind} ${e.key}`);
      }
    };
    const deleteMany = async (entries: readonly Entry<unknown>[]) => {
      for (const e of entries) {
        table.delete(e.key);
        this.history.push(`delete ${kind} ${e.key}`);
      }
    };
    return {
      writes: 0,
      update: (e: Entry<unknown>) => updateMany([e]),
      delete: (e: Entry<unknown>) => deleteMany([e]),
      updateMany,
      deleteMany,
      prune: async () => {},
      observe: async () => [...table.values()],
    };
  }
}

// No service CIDR: the node's own way to ClusterIPs (gw_host) would keep the node-device programs attached.
const cluster = (nodePort: boolean) =>
  twoNodeCluster({ serviceCIDR: undefined })
    .endpoint('deathstar', 'n1', { labels: { class: 'deathstar' } })
    .service('deathstar', {
      ...(nodePort ? { type: 'NodePort' as const } : {}),
      ports: [{ port: 80, ...(nodePort ? { nodePort: 30080 } : {}) }],
      selector: { class: 'deathstar' },
    })
    .build();

async function converge(node: FakeNode, want: DesiredState): Promise<void> {
  await apply(plan(want, await node.observe()), node.drivers);
  expect(plan(want, await node.observe()).changes).toEqual([]);
}

describe('a kind driven through the registry (node-device attachments, on a fake node)', () => {
  it('is planned and written after the service slots, repaired when it goes missing, removed when no longer needed', async () => {
    const node = new FakeNode();
    const withNodePort = compile(cluster(true), 'n1');
    await converge(node, withNodePort);
    const netdevKeys = withNodePort.resources.netdev.map((e) => e.key);
    expect(netdevKeys).toHaveLength(2);
    const lastService = node.history.findLastIndex((h) => h.startsWith('update service '));
    for (const key of netdevKeys) expect(node.history.indexOf(`update netdev ${key}`)).toBeGreaterThan(lastService);

    // Detached behind gitwire's back: the plan names it, apply writes only it.
    node.tables.get('netdev')!.delete(netdevKeys[0]!);
    const repair = plan(withNodePort, await node.observe());
    expect(repair.changes.map((c) => `${c.action} ${c.resource} ${c.key} (${c.label})`)).toEqual([
      `create netdev ${netdevKeys[0]} (NodePort)`,
    ]);
    node.history.length = 0;
    await converge(node, withNodePort);
    expect(node.history).toEqual([`update netdev ${netdevKeys[0]}`]);

    // The NodePort goes: the attachments are removed before the slot they served.
    node.history.length = 0;
    await converge(node, compile(cluster(false), 'n1'));
    expect(node.tables.get('netdev')!.size).toBe(0);
    const firstServiceDelete = node.history.findIndex((h) => h.startsWith('delete service '));
    expect(firstServiceDelete).toBeGreaterThan(-1);
    for (const key of netdevKeys) {
      const i = node.history.indexOf(`delete netdev ${key}`);
      expect(i).toBeGreaterThan(-1);
      expect(i).toBeLessThan(firstServiceDelete);
    }
  });
});
