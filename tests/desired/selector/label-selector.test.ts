import { describe, expect, it } from 'vitest';
import {
  parseLabel,
  parseSelector,
  SelectorIndex,
  selectorMatches,
  toLabelMap,
} from '../../../src/desired/selector/index.js';

const pod = toLabelMap(['k8s:org=empire', 'k8s:class=deathstar', 'k8s:io.kubernetes.pod.namespace=default']);
const host = toLabelMap(['reserved:host']);

describe('label selectors', () => {
  it('parses source, key and value of a label', () => {
    expect(parseLabel('k8s:app.kubernetes.io/name=web')).toEqual({
      source: 'k8s',
      key: 'app.kubernetes.io/name',
      value: 'web',
    });
    expect(parseLabel('reserved:host')).toEqual({ source: 'reserved', key: 'host', value: '' });
  });

  it('matches keys without a source against any source, and with one only against it', () => {
    expect(selectorMatches(parseSelector({ matchLabels: { org: 'empire' } }), pod)).toBe(true);
    expect(selectorMatches(parseSelector({ matchLabels: { 'k8s:org': 'empire' } }), pod)).toBe(true);
    expect(selectorMatches(parseSelector({ matchLabels: { 'any:org': 'empire' } }), pod)).toBe(true);
    expect(selectorMatches(parseSelector({ matchLabels: { 'container:org': 'empire' } }), pod)).toBe(false);
    expect(selectorMatches(parseSelector({ matchLabels: { 'reserved:host': '' } }), host)).toBe(true);
    expect(selectorMatches(parseSelector({ matchLabels: { $host: '' } }), host)).toBe(true);
  });

  it('applies In, NotIn, Exists and DoesNotExist as Kubernetes does', () => {
    const m = (op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', key: string, values?: string[]) =>
      selectorMatches(parseSelector({ matchExpressions: [{ key, operator: op, values }] }), pod);
    expect(m('In', 'class', ['xwing', 'deathstar'])).toBe(true);
    expect(m('In', 'class', ['xwing'])).toBe(false);
    expect(m('NotIn', 'class', ['xwing'])).toBe(true);
    expect(m('NotIn', 'class', ['deathstar'])).toBe(false);
    expect(m('NotIn', 'missing', ['x'])).toBe(true);
    expect(m('Exists', 'org')).toBe(true);
    expect(m('Exists', 'missing')).toBe(false);
    expect(m('DoesNotExist', 'missing')).toBe(true);
    expect(m('DoesNotExist', 'org')).toBe(false);
  });

  it('requires every matchLabels entry and expression at once', () => {
    const sel = parseSelector({
      matchLabels: { org: 'empire' },
      matchExpressions: [{ key: 'class', operator: 'In', values: ['xwing'] }],
    });
    expect(selectorMatches(sel, pod)).toBe(false);
    expect(selectorMatches(parseSelector({}), pod)).toBe(true);
  });

  it('gives equal selectors the same key whatever the order they were written in', () => {
    const a = parseSelector({ matchLabels: { a: '1', b: '2' } });
    const b = parseSelector({
      matchExpressions: [{ key: 'b', operator: 'In', values: ['2'] }],
      matchLabels: { a: '1' },
    });
    expect(a.key).toBe(b.key);
  });

  it('orders requirements by their text, values deduplicated and sorted, whatever the order written', () => {
    const exprs = [
      { key: 'tier', operator: 'NotIn' as const, values: ['web', 'db', 'web'] },
      { key: 'k8s:app', operator: 'In' as const, values: ['b'] },
      { key: 'zone', operator: 'Exists' as const },
      { key: 'app', operator: 'In' as const, values: ['a'] },
    ];
    const forward = parseSelector({ matchExpressions: exprs });
    const backward = parseSelector({ matchExpressions: [...exprs].reverse() });
    expect(forward.key).toBe('any:app In (a),any:tier NotIn (db|web),any:zone Exists (),k8s:app In (b)');
    expect(backward).toEqual(forward);
    expect(forward.requirements.map((r) => r.values)).toEqual([['a'], ['db', 'web'], [], ['b']]);
  });

  it('selects through the index exactly what a full scan selects', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({
      i,
      labels: [`k8s:app=a${i % 7}`, `k8s:tier=t${i % 3}`, ...(i % 5 === 0 ? ['k8s:canary=yes'] : [])],
    }));
    const index = new SelectorIndex(items, (x) => x.labels);
    const selectors = [
      parseSelector({ matchLabels: { app: 'a3' } }),
      parseSelector({ matchLabels: { app: 'a3', tier: 't1' } }),
      parseSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['t0', 't2'] }] }),
      parseSelector({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }], matchLabels: { tier: 't0' } }),
      parseSelector({}),
    ];
    for (const sel of selectors) {
      const scanned = items.filter((x) => selectorMatches(sel, toLabelMap(x.labels))).map((x) => x.i);
      expect(index.select(sel).map((x) => x.i)).toEqual(scanned);
    }
  });
});
