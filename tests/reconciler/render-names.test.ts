import { describe, expect, it } from 'vitest';
import type {
  DesiredState,
  EndpointValue,
  Entry,
  IdentityValue,
  IpcacheValue,
  PolicyValue,
  RuleRef,
} from '../../src/desired/desired-state.js';
import { asObserved, emptyObserved, plan } from '../../src/reconciler/plan.js';
import { portsName, renderContext, renderJson, renderMarkdown, renderText } from '../../src/reconciler/render/index.js';
import { desiredWith } from '../support/desired-fixture.js';

const RULE1: RuleRef = {
  id: 11,
  kind: 'CiliumNetworkPolicy',
  namespace: 'default',
  name: 'rule1',
  path: 'spec.ingress[0]',
  file: 'policies/starwars/deathstar-l3-l4.yaml',
  line: 15,
};
const EGRESS: RuleRef = { ...RULE1, id: 12, namespace: null, name: 'no-metadata', path: 'specs[1].egressDeny[0]' };

const endpoint = (id: number, name: string, identity: number): Entry<EndpointValue> => ({
  key: `default/${name}`,
  label: `default/${name}`,
  value: {
    ...{ id, name, namespace: 'default', address: `10.0.1.${id}`, mac: '02:00:00:00:00:01', ifName: `lxc${id}` },
    ...{ gateway: '10.0.1.1', netns: 'gw', identity, enforceIngress: true, enforceEgress: true, audit: false },
  },
});
const ipcache = (prefix: string, identity: number, label: string): Entry<IpcacheValue> => ({
  key: prefix,
  label,
  value: { prefix, identity, tunnelEndpoint: '192.168.50.12' },
});
const identity = (id: number, labels: string[], scope: IdentityValue['scope']): Entry<IdentityValue> => ({
  key: String(id),
  value: { id, labels, scope },
});
const entry = (v: Partial<PolicyValue>): Entry<PolicyValue> => {
  const value: PolicyValue = {
    ...{ endpointId: 10, direction: 'ingress', identity: 48178, protocol: 6, port: 80, portPrefixLen: 16 },
    ...{ verdict: 'allow', proxyPort: 0, ruleId: 11, ...v },
  };
  const key = `${value.endpointId}/${value.direction}/${value.identity}/${value.protocol}/${value.port}/${value.portPrefixLen}`;
  return { key, value, label: 'policy default/rule1' };
};

// deathstar-1 (here) and deathstar-2 (another node, known through the ipcache) share identity 20430.
const state: DesiredState = {
  ...desiredWith('node-1', 'b'.repeat(40), {
    endpoint: [endpoint(10, 'deathstar-1', 20430), endpoint(20, 'tiefighter', 48178)],
    ipcache: [
      ipcache('10.0.2.10/32', 20430, 'default/deathstar-2'),
      ipcache('10.0.0.0/8', 19317234, 'cidr:10.0.0.0/8'),
    ],
    identity: [
      identity(19317234, ['cidr:10.0.0.0/8', 'reserved:world'], 'cidr'),
      identity(777, ['k8s:app=x'], 'global'),
    ],
    policy: [
      entry({}),
      entry({ identity: 20430 }),
      entry({ identity: 2, port: 8080, portPrefixLen: 13 }),
      entry({ identity: 19317234, protocol: 1, port: 8 }),
      entry({ identity: 777, verdict: 'redirect', proxyPort: 15001 }),
      entry({ endpointId: 20, direction: 'egress', identity: 0, protocol: 0, port: 0, portPrefixLen: 0, ruleId: 12 }),
      entry({ endpointId: 99, identity: 5000, ruleId: 404 }),
    ],
  }),
  rules: [RULE1, EGRESS],
};
const ctx = renderContext([state]);
const set = plan(state, emptyObserved('node-1'));

describe('plans name what policy entries refer to', () => {
  it('names endpoint, peer, ports, verdict, and the rule by policy and the file:line of its item', () => {
    expect(renderText(set, ctx)).toContain(
      '  + default/deathstar-1 ← default/tiefighter TCP/80 allow (default/rule1, policies/starwars/deathstar-l3-l4.yaml:15)\n',
    );
  });

  it('names a peer identity by every endpoint that carries it, here or on other nodes', () => {
    expect(renderText(set, ctx)).toContain('default/deathstar-1 ← {default/deathstar-1, default/deathstar-2} TCP/80');
  });

  it('names reserved and CIDR peers, port ranges, ICMP types, proxy redirects and egress wildcards', () => {
    const text = renderText(set, ctx);
    expect(text).toContain('default/deathstar-1 ← world TCP/8080-8087 allow');
    expect(text).toContain('default/deathstar-1 ← 10.0.0.0/8 ICMP type 8 allow');
    expect(text).toContain('default/deathstar-1 ← k8s:app=x TCP/80 redirect to proxy port 15001');
    expect(text).toContain(
      '  + default/tiefighter → any peer any port allow (no-metadata, policies/starwars/deathstar-l3-l4.yaml:15)\n',
    );
  });

  it('falls back to numbers and the entry label for what no state names', () => {
    expect(renderText(set, ctx)).toContain('  + endpoint 99 ← identity 5000 TCP/80 allow (policy default/rule1)\n');
  });

  it('names the same entries in Markdown', () => {
    const md = renderMarkdown([set], { contexts: [ctx] });
    expect(md).toContain('+ default/deathstar-1 ← default/tiefighter TCP/80 allow (default/rule1, ');
    expect(md).not.toContain('10/ingress/48178/6/80/16');
  });

  it('keeps the keys in JSON and adds the name beside them', () => {
    const json = JSON.parse(renderJson(set, [ctx])) as { changes: { key: string; name?: string }[] };
    expect(json.changes).toContainEqual(
      expect.objectContaining({
        key: '10/ingress/48178/6/80/16',
        name: 'default/deathstar-1 ← default/tiefighter TCP/80 allow (default/rule1, policies/starwars/deathstar-l3-l4.yaml:15)',
      }),
    );
  });

  it('names an update by its new value and lists what changed', () => {
    const before = { ...state, resources: { ...state.resources, policy: [entry({ verdict: 'deny' })] } };
    const after = { ...state, resources: { ...state.resources, policy: [entry({})] } };
    const text = renderText(plan(after, asObserved(before)), renderContext([after, before]));
    expect(text).toContain('  ~ default/deathstar-1 ← default/tiefighter TCP/80 allow (default/rule1, ');
    expect(text).toContain('      verdict: deny → allow\n');
  });
});

describe('port names', () => {
  it('reads port prefixes back as the ranges they cover', () => {
    expect(portsName({ protocol: 17, port: 53, portPrefixLen: 16 })).toBe('UDP/53');
    expect(portsName({ protocol: 6, port: 1024, portPrefixLen: 6 })).toBe('TCP/1024-2047');
    expect(portsName({ protocol: 132, port: 0, portPrefixLen: 0 })).toBe('SCTP/any');
    expect(portsName({ protocol: 58, port: 128, portPrefixLen: 16 })).toBe('ICMPv6 type 128');
  });
});
