import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import { twoNodeCluster, type ModelBuilder } from '../../support/model-builder.js';
import { endpointOf, identityOf, policiesOf, rulesOf, verdictFor } from './state-helpers.js';

const TCP = 6;
const UDP = 17;
const SCTP = 132;

function starWars(b: ModelBuilder = twoNodeCluster()): ModelBuilder {
  return b
    .endpoint('deathstar', 'n1', {
      labels: { org: 'empire', class: 'deathstar' },
      ports: [{ name: 'http', containerPort: 80 }],
    })
    .endpoint('tiefighter', 'n2', { labels: { org: 'empire', class: 'tiefighter' } })
    .endpoint('xwing', 'n2', { labels: { org: 'alliance', class: 'xwing' } });
}

const rule1 = {
  endpointSelector: { matchLabels: { org: 'empire', class: 'deathstar' } },
  ingress: [
    {
      fromEndpoints: [{ matchLabels: { org: 'empire' } }],
      toPorts: [{ ports: [{ port: '80', protocol: 'TCP' as const }] }],
    },
  ],
};

describe('policy compile: Star Wars demo', () => {
  const state = compile(starWars().policy('rule1', rule1).build(), 'n1');
  const tie = identityOf(state, '' + state.resources.ipcache.find((e) => e.label === 'default/tiefighter')!.key);
  const xwing = identityOf(state, state.resources.ipcache.find((e) => e.label === 'default/xwing')!.key);
  const deathstar = endpointOf(state, 'default/deathstar');

  it('allows empire ships (tiefighter and deathstar itself) to TCP 80 and nothing else', () => {
    expect(rulesOf(state, 'default/deathstar')).toEqual(
      [`ingress ${deathstar.identity} 6 80/16 allow`, `ingress ${tie} 6 80/16 allow`].sort(),
    );
    expect(deathstar.enforceIngress).toBe(true);
    expect(deathstar.enforceEgress).toBe(false);
  });

  it('drops the xwing and other ports, and names rule1 as the deciding rule', () => {
    expect(verdictFor(state, 'default/deathstar', 'ingress', xwing, TCP, 80)).toBe('drop');
    expect(verdictFor(state, 'default/deathstar', 'ingress', tie, TCP, 443)).toBe('drop');
    expect(verdictFor(state, 'default/deathstar', 'ingress', tie, TCP, 80)).toBe('allow');
    expect(verdictFor(state, 'default/deathstar', 'egress', xwing, TCP, 80)).toBe('pass');
    const ruleId = policiesOf(state, 'default/deathstar')[0]!.ruleId;
    expect(state.rules).toEqual([
      expect.objectContaining({
        id: ruleId,
        kind: 'CiliumNetworkPolicy',
        namespace: 'default',
        name: 'rule1',
        path: 'spec.ingress[0]',
      }),
    ]);
    expect(state.resources.policy[0]!.label).toBe('policy default/rule1');
  });

  it('leaves endpoints no policy selects unenforced', () => {
    const n2 = compile(starWars().policy('rule1', rule1).build(), 'n2');
    expect(endpointOf(n2, 'default/xwing')).toMatchObject({ enforceIngress: false, enforceEgress: false });
    expect(n2.resources.policy).toEqual([]);
  });
});

describe('policy compile: default deny', () => {
  const base = () =>
    twoNodeCluster()
      .endpoint('a', 'n1', { labels: { app: 'a' } })
      .endpoint('b', 'n1', { labels: { app: 'b' } });

  it('enforces only the directions a rule has', () => {
    const s = compile(
      base()
        .policy('p', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{}] })
        .build(),
      'n1',
    );
    expect(endpointOf(s, 'default/a')).toMatchObject({ enforceIngress: false, enforceEgress: true });
    expect(policiesOf(s, 'default/a')).toEqual([]);
  });

  it('does not enforce a direction whose rules all disable default deny, unless another rule enables it', () => {
    const off = {
      endpointSelector: { matchLabels: { app: 'a' } },
      enableDefaultDeny: { ingress: false },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }],
    };
    const s1 = compile(base().policy('off', off).build(), 'n1');
    expect(endpointOf(s1, 'default/a').enforceIngress).toBe(false);
    const s2 = compile(
      base()
        .policy('off', off)
        .policy('on', { endpointSelector: {}, ingress: [{}] })
        .build(),
      'n1',
    );
    expect(endpointOf(s2, 'default/a').enforceIngress).toBe(true);
  });

  it('enforces both directions everywhere with policyEnforcement always, none with never', () => {
    const always = compile(twoNodeCluster({ policyEnforcement: 'always' }).endpoint('a', 'n1').build(), 'n1');
    expect(endpointOf(always, 'default/a')).toMatchObject({ enforceIngress: true, enforceEgress: true });
    const never = compile(
      twoNodeCluster({ policyEnforcement: 'never' })
        .endpoint('a', 'n1', { labels: { app: 'a' } })
        .policy('p', { endpointSelector: {}, ingressDeny: [{}] })
        .build(),
      'n1',
    );
    expect(endpointOf(never, 'default/a')).toMatchObject({ enforceIngress: false, enforceEgress: false });
    expect(never.resources.policy).toEqual([]);
  });

  it('marks every endpoint audit in audit mode', () => {
    const s = compile(twoNodeCluster({ auditMode: true }).endpoint('a', 'n1').build(), 'n1');
    expect(endpointOf(s, 'default/a').audit).toBe(true);
  });
});

describe('policy compile: ports and protocols', () => {
  const withRule = (ingress: object[]) =>
    compile(
      twoNodeCluster()
        .endpoint('a', 'n1', { labels: { app: 'a' }, ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }] })
        .policy('p', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: ingress as never })
        .build(),
      'n1',
    );

  it('expands ANY and omitted protocols to TCP, UDP and SCTP', () => {
    const s = withRule([{ toPorts: [{ ports: [{ port: '8080' }] }] }]);
    expect(rulesOf(s, 'default/a')).toEqual(
      [`ingress 0 ${TCP} 8080/16 allow`, `ingress 0 ${UDP} 8080/16 allow`, `ingress 0 ${SCTP} 8080/16 allow`].sort(),
    );
  });

  it('allows every protocol and port when a rule has no toPorts, and every port with port 0', () => {
    expect(rulesOf(withRule([{ fromEntities: ['all'] }]), 'default/a')).toEqual(['ingress 0 0 0/0 allow']);
    expect(rulesOf(withRule([{ toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }]), 'default/a')).toEqual([
      `ingress 0 ${TCP} 0/0 allow`,
    ]);
  });

  it('decomposes port..endPort into prefix entries', () => {
    const s = withRule([{ toPorts: [{ ports: [{ port: '80', endPort: 90, protocol: 'TCP' }] }] }]);
    expect(rulesOf(s, 'default/a')).toEqual(
      ['ingress 0 6 80/13 allow', 'ingress 0 6 88/15 allow', 'ingress 0 6 90/16 allow'].sort(),
    );
    expect(verdictFor(s, 'default/a', 'ingress', 999, TCP, 91)).toBe('drop');
    expect(verdictFor(s, 'default/a', 'ingress', 999, TCP, 87)).toBe('allow');
  });

  it('resolves an ingress named port from the endpoint itself and warns when it cannot', () => {
    const s = withRule([
      { toPorts: [{ ports: [{ port: 'dns' }] }, { ports: [{ port: 'metrics', protocol: 'TCP' }] }] },
    ]);
    expect(rulesOf(s, 'default/a')).toEqual([`ingress 0 ${UDP} 5353/16 allow`]);
    expect(s.warnings.map((w) => w.code)).toContain('W_NAMED_PORT_UNRESOLVED');
  });

  it('maps ICMP types, by number or name, to protocol 1 with the type as port, and warns on ICMPv6', () => {
    const s = withRule([
      { icmps: [{ fields: [{ type: 8 }, { type: 'TimeExceeded' }, { type: 'EchoRequest', family: 'IPv6' }] }] },
    ]);
    expect(rulesOf(s, 'default/a')).toEqual(['ingress 0 1 11/16 allow', 'ingress 0 1 8/16 allow'].sort());
    expect(s.warnings.map((w) => w.code)).toContain('W_ICMPV6_UNSUPPORTED');
  });

  it('redirects L7 http rules to a stable proxy port in 10000-20000', () => {
    const rule = [
      { toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/v1/' }] } }] },
    ];
    const s = withRule(rule);
    const [v] = policiesOf(s, 'default/a');
    expect(v).toMatchObject({ verdict: 'redirect', protocol: TCP, port: 80, portPrefixLen: 16 });
    expect(v!.proxyPort).toBeGreaterThanOrEqual(10_000);
    expect(v!.proxyPort).toBeLessThanOrEqual(20_000);
    expect(policiesOf(withRule(rule), 'default/a')[0]!.proxyPort).toBe(v!.proxyPort);
  });
});

describe('policy compile: deny precedence', () => {
  const model = (rules: object[]) =>
    twoNodeCluster()
      .endpoint('a', 'n1', { labels: { app: 'a' } })
      .endpoint('b', 'n2', { labels: { app: 'b' } })
      .policy('p', rules as never)
      .build();

  it('removes an allow that lies inside a broader deny of the same identity', () => {
    const s = compile(
      model([
        {
          endpointSelector: { matchLabels: { app: 'a' } },
          ingress: [
            { fromEndpoints: [{ matchLabels: { app: 'b' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
          ],
        },
        {
          endpointSelector: { matchLabels: { app: 'a' } },
          ingressDeny: [
            { fromEndpoints: [{ matchLabels: { app: 'b' } }], toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] },
          ],
        },
      ]),
      'n1',
    );
    const b = identityOf(s, s.resources.ipcache.find((e) => e.label === 'default/b')!.key);
    expect(rulesOf(s, 'default/a')).toEqual([`ingress ${b} 6 0/0 deny`]);
    expect(verdictFor(s, 'default/a', 'ingress', b, TCP, 80)).toBe('deny');
  });

  it('keeps a broader allow next to a narrower deny, and the deny wins for its ports', () => {
    const s = compile(
      model([
        {
          endpointSelector: { matchLabels: { app: 'a' } },
          ingress: [{ toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }],
        },
        {
          endpointSelector: { matchLabels: { app: 'a' } },
          ingressDeny: [{ toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
        },
      ]),
      'n1',
    );
    expect(rulesOf(s, 'default/a')).toEqual(['ingress 0 6 0/0 allow', 'ingress 0 6 22/16 deny'].sort());
    expect(verdictFor(s, 'default/a', 'ingress', 1234, TCP, 22)).toBe('deny');
    expect(verdictFor(s, 'default/a', 'ingress', 1234, TCP, 23)).toBe('allow');
  });

  it('merges identical keys with deny over allow, and a deny for any peer beats an allow for one peer', () => {
    const s = compile(
      model([
        {
          endpointSelector: { matchLabels: { app: 'a' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }, { fromEntities: ['all'] }],
        },
        { endpointSelector: { matchLabels: { app: 'a' } }, ingressDeny: [{ fromEntities: ['all'] }] },
      ]),
      'n1',
    );
    const b = identityOf(s, s.resources.ipcache.find((e) => e.label === 'default/b')!.key);
    expect(rulesOf(s, 'default/a')).toEqual([`ingress 0 0 0/0 deny`, `ingress ${b} 0 0/0 allow`].sort());
    expect(verdictFor(s, 'default/a', 'ingress', b, TCP, 80)).toBe('deny');
  });
});

describe('policy compile: peers', () => {
  it('restricts namespaced selectors to the policy namespace unless they name one', () => {
    const b = twoNodeCluster()
      .endpoint('a', 'n1', { namespace: 'ns1', labels: { app: 'a' } })
      .endpoint('c1', 'n2', { namespace: 'ns1', labels: { role: 'client' } })
      .endpoint('c2', 'n2', { namespace: 'ns2', labels: { role: 'client' } });
    const sameNs = compile(b.build(), 'n1');
    expect(sameNs.resources.policy).toEqual([]);
    const s = compile(
      b
        .policy(
          'p',
          {
            endpointSelector: {},
            ingress: [
              { fromEndpoints: [{ matchLabels: { role: 'client' } }] },
              { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ns2' } }] },
            ],
          },
          'ns1',
        )
        .build(),
      'n1',
    );
    const c1 = identityOf(s, s.resources.ipcache.find((e) => e.label === 'ns1/c1')!.key);
    const c2 = identityOf(s, s.resources.ipcache.find((e) => e.label === 'ns2/c2')!.key);
    expect(rulesOf(s, 'ns1/a')).toEqual([`ingress ${c1} 0 0/0 allow`, `ingress ${c2} 0 0/0 allow`].sort());
    expect(policiesOf(s, 'ns1/a').map((v) => s.rules.find((r) => r.id === v.ruleId)!.path)).toEqual([
      c1 < c2 ? 'spec.ingress[0]' : 'spec.ingress[1]',
      c1 < c2 ? 'spec.ingress[1]' : 'spec.ingress[0]',
    ]);
  });

  it('treats {} as every pod of the namespace in a namespaced policy and every pod in a clusterwide one, never reserved identities', () => {
    const b = () =>
      twoNodeCluster()
        .endpoint('a', 'n1', { namespace: 'ns1', labels: { app: 'a' } })
        .endpoint('x', 'n2', { namespace: 'ns1' })
        .endpoint('y', 'n2', { namespace: 'ns2' });
    const cnp = compile(
      b()
        .policy('p', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromEndpoints: [{}] }] }, 'ns1')
        .build(),
      'n1',
    );
    const ccnp = compile(
      b()
        .policy('p', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromEndpoints: [{}] }] }, null)
        .build(),
      'n1',
    );
    const ids = (s: typeof cnp) => policiesOf(s, 'ns1/a').map((v) => v.identity);
    const id = (s: typeof cnp, label: string) => s.resources.ipcache.find((e) => e.label === label)!.value.identity;
    expect(ids(cnp).sort()).toEqual([id(cnp, 'ns1/a'), id(cnp, 'ns1/x')].sort());
    expect(ids(ccnp).sort()).toEqual([id(ccnp, 'ns1/a'), id(ccnp, 'ns1/x'), id(ccnp, 'ns2/y')].sort());
    expect(ids(ccnp).every((i) => i >= 256)).toBe(true);
  });

  it('applies a namespaced policy in its own namespace only, even when its endpointSelector names another', () => {
    const s = compile(
      twoNodeCluster()
        .endpoint('a', 'n1', { namespace: 'ns2', labels: { app: 'a' } })
        .policy(
          'p',
          { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ns2' } }, ingress: [{}] },
          'ns1',
        )
        .build(),
      'n1',
    );
    expect(endpointOf(s, 'ns2/a').enforceIngress).toBe(false);
    expect(s.warnings.map((w) => w.code)).toContain('W_POLICY_NAMESPACE_IGNORED');
  });

  it('selects with matchExpressions', () => {
    const s = compile(
      twoNodeCluster()
        .endpoint('a', 'n1', { labels: { app: 'a' } })
        .endpoint('b', 'n2', { labels: { tier: 'web' } })
        .endpoint('c', 'n2', { labels: { tier: 'db' } })
        .policy('p', {
          endpointSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
          egress: [
            {
              toEndpoints: [
                {
                  matchExpressions: [
                    { key: 'tier', operator: 'NotIn', values: ['db'] },
                    { key: 'tier', operator: 'Exists' },
                  ],
                },
              ],
            },
          ],
        })
        .build(),
      'n1',
    );
    const b = s.resources.ipcache.find((e) => e.label === 'default/b')!.value.identity;
    expect(rulesOf(s, 'default/a')).toEqual([`egress ${b} 0 0/0 allow`]);
  });

  it('maps entities to reserved identities', () => {
    const s = compile(
      twoNodeCluster()
        .endpoint('a', 'n1', { labels: { app: 'a' } })
        .endpoint('b', 'n2', { labels: { app: 'b' } })
        .policy('p', {
          endpointSelector: { matchLabels: { app: 'a' } },
          egress: [
            { toEntities: ['host', 'remote-node', 'health', 'init', 'unmanaged', 'kube-apiserver', 'ingress', 'none'] },
          ],
          ingress: [{ fromEntities: ['cluster'] }],
        })
        .build(),
      'n1',
    );
    expect(policiesOf(s, 'default/a', 'egress').map((v) => v.identity)).toEqual([1, 3, 4, 5, 6, 7, 8]);
    const globals = s.resources.identity.filter((e) => e.value.scope === 'global').map((e) => e.value.id);
    expect(policiesOf(s, 'default/a', 'ingress').map((v) => v.identity)).toEqual([1, 3, 4, 5, 6, 7, 8, ...globals]);
  });

  it('gives CIDRs and their exceptions CIDR identities and ipcache entries, allowing only the outer prefix', () => {
    const s = compile(
      twoNodeCluster()
        .endpoint('a', 'n1', { labels: { app: 'a' } })
        .policy('p', {
          endpointSelector: {},
          egress: [{ toCIDRSet: [{ cidr: '172.16.0.0/12', except: ['172.16.5.0/24'] }] }, { toEntities: ['world'] }],
        })
        .build(),
      'n1',
    );
    const outer = s.resources.ipcache.find((e) => e.key === '172.16.0.0/12')!.value;
    const inner = s.resources.ipcache.find((e) => e.key === '172.16.5.0/24')!.value;
    expect(outer.identity & 0x0100_0000).toBe(0x0100_0000);
    expect(inner.identity & 0x0100_0000).toBe(0x0100_0000);
    const egress = policiesOf(s, 'default/a', 'egress');
    expect(
      egress
        .filter((v) => v.ruleId === egress.find((x) => x.identity === outer.identity)!.ruleId)
        .map((v) => v.identity),
    ).toEqual([outer.identity]);
    // world = reserved world plus every CIDR identity, the excepted one included.
    expect(egress.map((v) => v.identity).sort((x, y) => x - y)).toEqual(
      [2, outer.identity, inner.identity].sort((x, y) => x - y),
    );
    expect(s.resources.identity.find((e) => e.value.id === outer.identity)!.value).toMatchObject({
      scope: 'cidr',
      labels: ['cidr:172.16.0.0/12', 'reserved:world'],
    });
  });

  it('warns about host policies and produces nothing for them', () => {
    const s = compile(
      twoNodeCluster()
        .endpoint('a', 'n1')
        .policy('host', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] }, null)
        .build(),
      'n1',
    );
    expect(s.resources.policy).toEqual([]);
    expect(s.warnings.map((w) => w.code)).toContain('W_HOST_POLICY_UNSUPPORTED');
  });

  it('never treats a rule with an unsupported peer field as a wildcard', () => {
    const s = compile(
      twoNodeCluster()
        .endpoint('a', 'n1')
        .policy('p', {
          endpointSelector: {},
          egress: [
            { toFQDNs: [{ matchName: 'example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
          ],
        })
        .build(),
      'n1',
    );
    expect(s.resources.policy).toEqual([]);
    expect(endpointOf(s, 'default/a').enforceEgress).toBe(true);
    expect(s.warnings).toContainEqual(
      expect.objectContaining({ code: 'W_UNSUPPORTED_FIELD', path: 'spec.egress[0].toFQDNs' }),
    );
  });

  it('resolves an egress named port from the selected peers', () => {
    const s = compile(
      twoNodeCluster()
        .endpoint('a', 'n1', { labels: { app: 'a' } })
        .endpoint('web1', 'n2', { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }] })
        .endpoint('web2', 'n2', { labels: { app: 'web', v: '2' }, ports: [{ name: 'http', containerPort: 9090 }] })
        .policy('p', {
          endpointSelector: { matchLabels: { app: 'a' } },
          egress: [
            {
              toEndpoints: [{ matchLabels: { app: 'web' } }],
              toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }],
            },
          ],
        })
        .build(),
      'n1',
    );
    const w1 = s.resources.ipcache.find((e) => e.label === 'default/web1')!.value.identity;
    const w2 = s.resources.ipcache.find((e) => e.label === 'default/web2')!.value.identity;
    expect(rulesOf(s, 'default/a')).toEqual([`egress ${w1} 6 8080/16 allow`, `egress ${w2} 6 9090/16 allow`].sort());
  });
});
