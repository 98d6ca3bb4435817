import { describe, expect, it } from 'vitest';
import type { Entry, IdentityValue, PolicyValue } from '../../src/desired/desired-state.js';
import { asObserved, emptyObserved, plan } from '../../src/reconciler/plan.js';
import { desiredWith } from '../support/desired-fixture.js';

const identity = (id: number, labels: string[]): Entry<IdentityValue> => ({
  key: String(id),
  value: { id, labels, scope: 'global' },
  label: labels.join(' '),
});

const allow80: PolicyValue = {
  endpointId: 7,
  direction: 'ingress',
  identity: 300,
  protocol: 6,
  port: 80,
  portPrefixLen: 16,
  verdict: 'allow',
  proxyPort: 0,
  ruleId: 1,
};
const policy = (key: string, value: PolicyValue): Entry<PolicyValue> => ({ key, value, label: 'policy default/rule1' });

describe('plan', () => {
  it('names the commit and, once there is one, the cluster generation it plans towards', () => {
    const commit = 'c'.repeat(40);
    const want = desiredWith('n1', commit, {});
    expect(plan(want, emptyObserved('n1'))).toMatchObject({
      to: commit,
      inputs: { from: null, to: { commit, generation: 0 } },
    });
    const atGeneration = { ...want, inputs: { commit, generation: 7 } };
    expect(plan(atGeneration, emptyObserved('n1'), { from: 'live' })).toMatchObject({
      from: 'live',
      to: `${commit.slice(0, 12)} @ generation 7`,
      inputs: { to: { commit, generation: 7 } },
    });
  });

  it('creates everything on an empty node', () => {
    const want = desiredWith('n1', 'abc', { identity: [identity(300, ['k8s:org=empire'])] });
    const set = plan(want, emptyObserved('n1'));
    expect(set.summary).toEqual({ create: 1, update: 0, delete: 0 });
    expect(set.changes[0]).toMatchObject({ resource: 'identity', key: '300', action: 'create', before: null });
    expect(set.byResource).toEqual({ identity: { create: 1, update: 0, delete: 0 } });
  });

  it('reports nothing when the node already matches', () => {
    const want = desiredWith('n1', 'abc', { identity: [identity(300, ['k8s:org=empire'])] });
    expect(plan(want, asObserved(want)).changes).toEqual([]);
  });

  it('finds updates by value, ignoring labels and key order inside values', () => {
    const before = desiredWith('n1', 'a', { policy: [policy('7/ingress/300/6/80/16', allow80)] });
    const reordered = Object.fromEntries(Object.entries(allow80).reverse()) as unknown as PolicyValue;
    const same = desiredWith('n1', 'b', { policy: [{ key: '7/ingress/300/6/80/16', value: reordered, label: 'x' }] });
    expect(plan(same, asObserved(before)).changes).toEqual([]);

    const denied = desiredWith('n1', 'b', {
      policy: [policy('7/ingress/300/6/80/16', { ...allow80, verdict: 'deny' })],
    });
    const set = plan(denied, asObserved(before), { from: 'a' });
    expect(set.changes).toEqual([
      {
        resource: 'policy',
        key: '7/ingress/300/6/80/16',
        action: 'update',
        before: allow80,
        after: { ...allow80, verdict: 'deny' },
        label: 'policy default/rule1',
      },
    ]);
    expect(set.from).toBe('a');
    expect(set.to).toBe('b');
  });

  it('deletes what is no longer desired and orders numeric keys numerically', () => {
    const before = desiredWith('n1', 'a', {
      identity: [identity(1000, ['k8s:a=b']), identity(256, ['k8s:c=d']), identity(99, ['reserved:x'])],
    });
    const after = desiredWith('n1', 'b', { identity: [identity(256, ['k8s:c=d'])] });
    const set = plan(after, asObserved(before));
    expect(set.changes.map((c) => [c.action, c.key])).toEqual([
      ['delete', '99'],
      ['delete', '1000'],
    ]);
  });

  it('plans pass after pass against the same frozen desired list, as the agent does, each pass on its own', () => {
    const list = Object.freeze([identity(256, ['k8s:c=d']), identity(300, ['k8s:org=empire'])]);
    const want = desiredWith('n1', 'a', { identity: list });
    const observed = (...entries: Entry<IdentityValue>[]) => ({ node: 'n1', resources: { identity: entries } });
    const actions = (o: ReturnType<typeof observed>) => plan(want, o).changes.map((c) => `${c.action} ${c.key}`);
    expect(actions(observed(...list))).toEqual([]);
    expect(actions(observed(list[1]!))).toEqual(['create 256']);
    expect(actions(observed(identity(256, ['k8s:x=y']), list[1]!, identity(7, ['k8s:e=f'])))).toEqual([
      'delete 7',
      'update 256',
    ]);
    expect(actions(observed())).toEqual(['create 256', 'create 300']);
    expect(actions(observed(list[1]!, list[0]!))).toEqual([]);
  });

  it('leaves out kinds the observer does not report', () => {
    const want = desiredWith('n1', 'a', { identity: [identity(300, ['k8s:org=empire'])] });
    const set = plan(want, { node: 'n1', resources: { policy: [] } });
    expect(set.changes).toEqual([]);
  });
});
