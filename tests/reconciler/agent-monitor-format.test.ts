import { describe, expect, it } from 'vitest';
import { AGENT_FLAGS } from '../../src/cdk8s/deploy/agent-flags.js';
import { program } from '../../src/cli/main.js';
import type { DatapathEvent } from '../../src/datapath/maps/index.js';
import type { RuleRef } from '../../src/desired/index.js';
import { eventJson, eventText, type MonitoredEvent } from '../../src/reconciler/agent/index.js';

const rule1: RuleRef = {
  id: 3,
  kind: 'CiliumNetworkPolicy',
  namespace: 'default',
  name: 'rule1',
  path: 'spec.ingressDeny[0]',
  file: 'policies/rule1.yaml',
  line: 18,
};

const drop: DatapathEvent = {
  timestampNs: 123_456_789n,
  type: 'drop',
  reason: 'denied-policy',
  direction: 'ingress',
  endpointId: 7,
  ifindex: 12,
  srcIdentity: 260,
  dstIdentity: 258,
  saddr: '10.0.1.30',
  daddr: '10.0.1.10',
  sport: 40122,
  dport: 80,
  protocol: 6,
  verdict: 'deny',
  ruleId: 3,
  length: 60,
};

const at = new Date('2025-01-01T12:00:00.250Z');

describe('monitor output', () => {
  it('names the policy, its rule and where it is declared in a text line', () => {
    const m: MonitoredEvent = { event: drop, rule: rule1, time: at };
    expect(eventText(m)).toBe(
      '2025-01-01T12:00:00.250Z DROP denied-policy ingress endpoint 7 10.0.1.30:40122 -> 10.0.1.10:80 tcp ' +
        'identity 260->258: policy default/rule1 (CiliumNetworkPolicy spec.ingressDeny[0], policies/rule1.yaml:18)',
    );
  });

  it('says a default deny is one when no rule matched, and shows ICMP types instead of ports', () => {
    const m: MonitoredEvent = {
      event: { ...drop, reason: 'denied-default', ruleId: 0, verdict: null, protocol: 1, dport: 8, sport: 0 },
      rule: null,
      time: at,
    };
    expect(eventText(m)).toContain('10.0.1.30 -> 10.0.1.10 icmp type 8');
    expect(eventText(m)).toMatch(/: no rule allows it \(default deny\)$/);
  });

  it('names the policies that put the direction into default deny, when it knows them', () => {
    const m: MonitoredEvent = {
      event: { ...drop, reason: 'denied-default', ruleId: 0, verdict: null },
      rule: null,
      time: at,
      enforcedBy: [rule1, { ...rule1, id: 4, path: 'spec.ingress[0]' }],
    };
    expect(eventText(m)).toMatch(
      /: no rule allows it \(default deny; ingress enforced by policy default\/rule1 \(policies\/rule1\.yaml:18\)\)$/,
    );
    expect(JSON.parse(eventJson(m)).enforcedBy).toHaveLength(2);
  });

  it('writes one JSON object per event with the qualified policy name and the timestamp as a string', () => {
    const parsed = JSON.parse(eventJson({ event: drop, rule: { ...rule1, namespace: null }, time: at }));
    expect(parsed).toMatchObject({ type: 'drop', timestampNs: '123456789', time: '2025-01-01T12:00:00.250Z' });
    expect(parsed.policy).toMatchObject({ qualifiedName: 'rule1', line: 18 });
  });
});

describe('gitwire agent flags', () => {
  it('accepts every flag the deployment manifests pass (AGENT_FLAGS)', async () => {
    const agent = (await program()).commands.find((c) => c.name() === 'agent')!;
    const accepted = agent.options.map((o) => o.long);
    for (const f of Object.values(AGENT_FLAGS)) expect(accepted).toContain(f.flag);
    const required = agent.options.filter((o) => o.mandatory).map((o) => o.long);
    expect(required.sort()).toEqual(
      Object.values(AGENT_FLAGS)
        .filter((f) => f.required)
        .map((f) => f.flag)
        .sort(),
    );
  });
});
