import { describe, expect, it } from 'vitest';
import { DRIVEN_KINDS, type DrivenKind, type Drivers } from '../../src/datapath/index.js';
import type { Entry } from '../../src/desired/desired-state.js';
import { apply, APPLY_ORDER } from '../../src/reconciler/apply.js';
import type { Change, ChangeSet } from '../../src/reconciler/change-set.js';

/** Drivers that record `update kind key` / `delete kind key` in call order. */
function recordingDrivers(log: string[]): Drivers {
  const ops = (kind: DrivenKind) => ({
    writes: 0,
    update: async () => {},
    delete: async () => {},
    prune: async () => {},
    observe: async () => [],
    updateMany: async (entries: readonly Entry<unknown>[]) =>
      void log.push(...entries.map((e) => `update ${kind} ${e.key}`)),
    deleteMany: async (entries: readonly Entry<unknown>[]) =>
      void log.push(...entries.map((e) => `delete ${kind} ${e.key}`)),
  });
  return Object.fromEntries(DRIVEN_KINDS.map((k) => [k, ops(k)])) as unknown as Drivers;
}

function changeSet(changes: Pick<Change, 'resource' | 'key' | 'action'>[]): ChangeSet {
  const full = changes.map((c) => ({
    ...c,
    before: c.action === 'create' ? null : {},
    after: c.action === 'delete' ? null : {},
  }));
  return {
    node: 'n1',
    from: 'live',
    to: 'rev',
    inputs: { from: null, to: { commit: 'rev', generation: 0 } },
    changes: full as Change[],
    summary: { create: 0, update: 0, delete: 0 },
    byResource: {},
  };
}

describe('apply order', () => {
  it('drives every kind the datapath drives, each once', () => {
    expect([...APPLY_ORDER].sort()).toEqual([...DRIVEN_KINDS].sort());
  });

  it('writes the allows a newly enforced endpoint needs before the endpoint entry that enforces', async () => {
    const log: string[] = [];
    await apply(
      changeSet([
        { resource: 'ipcache', key: '10.0.1.20/32', action: 'update' },
        { resource: 'lxc', key: '10.0.1.10', action: 'update' },
        { resource: 'policy', key: '7/ingress/300/6/80/16', action: 'create' },
      ]),
      recordingDrivers(log),
    );
    expect(log).toEqual(['update policy 7/ingress/300/6/80/16', 'update ipcache 10.0.1.20/32', 'update lxc 10.0.1.10']);
  });

  it('turns enforcement off and detaches programs before deleting policy entries and devices', async () => {
    const log: string[] = [];
    await apply(
      changeSet([
        { resource: 'link', key: 'lxc1', action: 'delete' },
        { resource: 'lxc', key: '10.0.1.10', action: 'update' },
        { resource: 'policy', key: '7/ingress/300/6/80/16', action: 'delete' },
        { resource: 'program', key: 'lxc1/egress', action: 'delete' },
      ]),
      recordingDrivers(log),
    );
    expect(log).toEqual([
      'update lxc 10.0.1.10',
      'delete program lxc1/egress',
      'delete policy 7/ingress/300/6/80/16',
      'delete link lxc1',
    ]);
  });
});

describe('apply when old and new entries would not fit together', () => {
  it("deletes that kind's stale entries before writing its new ones, and keeps the usual order for the rest", async () => {
    const log: string[] = [];
    const set = changeSet([
      { resource: 'policy', key: 'new', action: 'create' },
      { resource: 'policy', key: 'old', action: 'delete' },
      { resource: 'ipcache', key: 'p-new', action: 'create' },
      { resource: 'ipcache', key: 'p-old', action: 'delete' },
    ]);
    await apply(set, recordingDrivers(log), { deleteFirst: new Set(['policy']) });
    expect(log.indexOf('delete policy old')).toBeLessThan(log.indexOf('update policy new'));
    expect(log.indexOf('update ipcache p-new')).toBeLessThan(log.indexOf('delete ipcache p-old'));
  });
});
