import { describe, expect, it } from 'vitest';
import type { HttpRuleSpec, L7RuleSet } from '../../../src/desired/compile/l7/index.js';
import { L7Policy } from '../../../src/datapath/proxy/index.js';

const rule = (name: string, fields: Partial<Omit<HttpRuleSpec, 'ref'>> = {}): HttpRuleSpec => ({
  method: null,
  path: null,
  host: null,
  headers: [],
  ...fields,
  ref: { kind: 'CiliumNetworkPolicy', namespace: 'default', name, path: 'spec', file: 'p.yaml', line: 1 },
});

const set = (identity: number, port: number, portPrefixLen: number, rules: HttpRuleSpec[]): L7RuleSet => ({
  endpointId: 1,
  endpoint: 'default/deathstar',
  address: '10.0.1.10',
  direction: 'ingress',
  identity,
  port,
  portPrefixLen,
  rules,
});

const head = (method: string, url: string, headers: Record<string, string> = {}) => ({ method, url, headers });
const at = (identity: number, port = 80) => ({ address: '10.0.1.10', direction: 'ingress' as const, identity, port });

describe('L7Policy: which rule set decides', () => {
  const policy = new L7Policy([
    set(0, 80, 16, [rule('any-peer', { path: '^(?:/public)$' })]),
    set(7, 80, 16, [rule('exact', { method: '^(?:GET)$' })]),
    set(7, 64, 10, [rule('range', { method: '^(?:PUT)$' })]),
  ]);

  it('takes the peer identity set before the any-peer set, as the datapath lookup does', () => {
    expect(policy.decide(at(7), head('GET', '/x'))?.rule.name).toBe('exact');
    expect(policy.decide(at(7), head('POST', '/public'))).toBeNull();
    expect(policy.decide(at(8), head('POST', '/public'))?.rule.name).toBe('any-peer');
  });

  it('takes the longest port prefix, and denies where no set covers the port, endpoint or direction', () => {
    expect(policy.decide(at(7, 90), head('PUT', '/'))?.rule.name).toBe('range');
    expect(policy.decide(at(7, 80), head('PUT', '/'))).toBeNull();
    expect(policy.decide(at(7, 200), head('GET', '/'))).toBeNull();
    expect(policy.decide({ ...at(7), address: '10.0.1.11' }, head('GET', '/'))).toBeNull();
    expect(policy.decide({ ...at(7), direction: 'egress' }, head('GET', '/'))).toBeNull();
  });

  it('prefers a rule that matches outright over one that needs a mismatch action', () => {
    const tagged = rule('tagged', { headers: [{ name: 'x-tag', match: 'exact', value: 'a', mismatch: 'ADD' }] });
    const p = new L7Policy([set(7, 80, 16, [tagged, rule('plain', { method: '^(?:GET)$' })])]);
    expect(p.decide(at(7), head('GET', '/'))?.rule.name).toBe('plain');
    expect(p.decide(at(7), head('POST', '/'))).toMatchObject({
      rule: { name: 'tagged' },
      edits: [{ op: 'add', name: 'x-tag', value: 'a' }],
      mismatches: ['x-tag'],
    });
  });

  it('matches a host regex against the Host header and an exact header value among repeated values', () => {
    const p = new L7Policy([
      set(7, 80, 16, [
        rule('host', {
          host: '^(?:deathstar\\.empire)$',
          headers: [{ name: 'x-id', match: 'exact', value: 'b', mismatch: null }],
        }),
      ]),
    ]);
    expect(p.decide(at(7), head('GET', '/', { host: 'deathstar.empire', 'x-id': 'a, b' }))?.rule.name).toBe('host');
    expect(p.decide(at(7), head('GET', '/', { host: 'deathstar.empire.evil', 'x-id': 'b' }))).toBeNull();
    expect(p.decide(at(7), head('GET', '/', { host: 'deathstar.empire', 'x-id': 'bb' }))).toBeNull();
  });
});
