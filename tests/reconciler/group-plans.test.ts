import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/reconciler/change-set.js';
import { groupPlans, nodeRanges } from '../../src/reconciler/group-plans.js';

const set = (node: string, port: number | null, to = 'b'): ChangeSet => ({
  node,
  from: 'a',
  to,
  inputs: { from: { commit: 'a', generation: 0 }, to: { commit: to, generation: 0 } },
  changes:
    port === null ? [] : [{ resource: 'route', key: `10.0.0.${port}/32`, action: 'create', before: null, after: null }],
  summary: { create: port === null ? 0 : 1, update: 0, delete: 0 },
  byResource: {},
});

describe('grouping nodes with the same plan', () => {
  it('keeps the first node of each plan and names the others under it', () => {
    const groups = groupPlans([set('n1', 1), set('n2', null), set('n3', 1), set('n4', null), set('n5', 2)]);
    expect(groups.map((g) => [g.plan.node, g.same])).toEqual([
      ['n1', ['n3']],
      ['n2', ['n4']],
      ['n5', []],
    ]);
  });

  it('never groups plans towards different revisions', () => {
    expect(groupPlans([set('n1', null, 'b'), set('n2', null, 'c')]).map((g) => g.same)).toEqual([[], []]);
  });

  it('folds runs of consecutive node numbers', () => {
    const names = ['node-2', 'node-3', 'node-4', 'node-9', 'node-10', 'node-12', 'edge', 'node-13'];
    expect(nodeRanges(names)).toBe('node-2 … node-4, node-9, node-10, node-12, edge, node-13');
    expect(nodeRanges(Array.from({ length: 39 }, (_, i) => `node-${i + 2}`))).toBe('node-2 … node-40');
  });
});
