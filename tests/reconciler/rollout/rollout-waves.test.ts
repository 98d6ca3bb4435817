import { describe, expect, it } from 'vitest';
import { maxUnavailable, rolloutPlan, rolloutWaves, type RolloutNode } from '../../../src/reconciler/rollout/index.js';

const nodes: RolloutNode[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((name, i) => ({
  name,
  labels: i < 2 ? { canary: 'true' } : ({} as Record<string, string>),
}));

describe('rollout waves', () => {
  it('takes named nodes, then selected ones, then cumulative percentages, and puts the rest in a last wave', () => {
    const waves = rolloutWaves(
      {
        waves: [{ nodes: ['c'] }, { selector: { matchLabels: { canary: 'true' } } }, { percent: 50 }],
        pause: '0s',
      },
      nodes,
    );
    expect(waves).toEqual([['c'], ['a', 'b'], ['d', 'e'], ['f', 'g', 'h', 'i', 'j']]);
  });

  it('never puts a node in two waves, drops empty waves and ignores names that are not nodes', () => {
    const waves = rolloutWaves(
      { waves: [{ nodes: ['a', 'zz'] }, { nodes: ['a'] }, { percent: 10 }, { percent: 100 }], pause: '0s' },
      nodes,
    );
    expect(waves).toEqual([['a'], ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']]);
  });

  it('gives every node a wave of its own with one-node waves', () => {
    const three = nodes.slice(0, 3);
    const spec = { waves: three.map((n) => ({ nodes: [n.name] })), pause: '0s' };
    expect(rolloutWaves(spec, three)).toEqual([['a'], ['b'], ['c']]);
  });

  it('turns maxUnavailable into a count per wave: a number, a share rounded up, or the whole wave', () => {
    expect(maxUnavailable(2, 10)).toBe(2);
    expect(maxUnavailable('25%', 10)).toBe(3);
    expect(maxUnavailable('1%', 10)).toBe(1);
    expect(maxUnavailable(undefined, 7)).toBe(7);
  });

  it('plans nothing when the Cluster declares no rollout, and reads the pause', () => {
    expect(rolloutPlan(undefined, nodes)).toBeNull();
    const plan = rolloutPlan({ waves: [{ percent: 20 }], maxUnavailable: '50%', pause: '1m30s' }, nodes)!;
    expect(plan.waves).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
    ]);
    expect(plan.maxUnavailable).toEqual([1, 4]);
    expect(plan.pauseMs).toBe(90_000);
    expect(rolloutPlan({ waves: [{ percent: 20 }], pause: '0s' }, nodes)!.pauseMs).toBe(0);
  });
});
