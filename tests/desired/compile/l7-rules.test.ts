import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildClusterProgram } from '../../../src/desired/compile/cluster-program.js';
import { compileNodeL7, type L7RuleSet } from '../../../src/desired/compile/l7/index.js';
import type { Model, PolicyDeclaration } from '../../../src/desired/model.js';
import { load } from '../load/tree-of.js';
import { twoNodeCluster, type ModelBuilder } from '../../support/model-builder.js';

function starWars(b: ModelBuilder = twoNodeCluster()): ModelBuilder {
  return b
    .endpoint('deathstar', 'n1', {
      labels: { org: 'empire', class: 'deathstar' },
      ports: [{ name: 'http', containerPort: 80 }],
    })
    .endpoint('tiefighter', 'n2', { labels: { org: 'empire', class: 'tiefighter' } })
    .endpoint('xwing', 'n2', { labels: { org: 'alliance', class: 'xwing' } });
}

/** Policies as the loader reads them from YAML files, so refs carry real file:line. */
function policiesFrom(files: Record<string, string>): PolicyDeclaration[] {
  const res = load(files);
  expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return [...res.model!.policies];
}

function withPolicies(b: ModelBuilder, policies: PolicyDeclaration[]): Model {
  return { ...b.build(), policies };
}

function l7Of(model: Model, node = 'n1') {
  const program = buildClusterProgram(model);
  const id = (key: string) => program.view.endpoints.find((e) => e.key === key)!.identity;
  return { ...compileNodeL7(program, node), id };
}

/** A rule as `policy path: METHOD PATH` for compact expectations. */
const show = (s: L7RuleSet) =>
  s.rules.map((r) => `${r.ref.name} ${r.ref.path}: ${r.method ?? '*'} ${r.path ?? '*'} ${r.host ?? '*'}`);

const seedL7 = readFileSync(new URL('../../fixtures/seed/l7-http-policy.yaml', import.meta.url), 'utf8');

describe('L7 rule compile: the seed Star Wars policy', () => {
  const model = withPolicies(starWars(), policiesFrom({ 'policies/l7.yaml': seedL7 }));
  const { sets, id, warnings } = l7Of(model);

  it('gives the deathstar one rule set per empire identity on TCP 80, with anchored method and path', () => {
    expect(sets.map((s) => [s.endpoint, s.direction, s.identity, s.port, s.portPrefixLen])).toEqual(
      [id('default/deathstar'), id('default/tiefighter')]
        .sort((a, b) => a - b)
        .map((i) => ['default/deathstar', 'ingress', i, 80, 16]),
    );
    const tie = sets.find((s) => s.identity === id('default/tiefighter'))!;
    expect(tie.rules).toEqual([
      {
        method: '^(?:POST)$',
        path: '^(?:/v1/request-landing)$',
        host: null,
        headers: [],
        ref: {
          kind: 'CiliumNetworkPolicy',
          namespace: 'default',
          name: 'rule1',
          path: 'spec.ingress[0].toPorts[0].rules.http[0]',
          file: 'policies/l7.yaml',
          line: 6,
        },
      },
    ]);
    expect(tie.address).toMatch(/^10\.0\.1\./);
    expect(warnings).toEqual([]);
  });

  it('has no rule set for the xwing, whose traffic the datapath drops at L3', () => {
    expect(sets.some((s) => s.identity === id('default/xwing'))).toBe(false);
  });

  it('has nothing for a node without a selected endpoint', () => {
    expect(l7Of(model, 'n2').sets).toEqual([]);
  });
});

const landing = {
  endpointSelector: { matchLabels: { class: 'deathstar' } },
  ingress: [
    {
      fromEndpoints: [{ matchLabels: { org: 'empire' } }],
      toPorts: [
        {
          ports: [{ port: '80', protocol: 'TCP' as const }],
          rules: { http: [{ method: 'POST', path: '/v1/request-landing' }] },
        },
      ],
    },
  ],
};

describe('L7 rule compile: combining policies', () => {
  it('unions the rules of two policies for one port and identity', () => {
    const status = {
      endpointSelector: { matchLabels: { org: 'empire' } },
      ingress: [
        {
          fromEndpoints: [{ matchLabels: { class: 'tiefighter' } }],
          toPorts: [
            {
              ports: [{ port: '80', protocol: 'TCP' as const }],
              rules: { http: [{ method: 'GET', path: '/v1/status' }] },
            },
          ],
        },
      ],
    };
    const { sets, id } = l7Of(starWars().policy('landing', landing).policy('status', status).build());
    const tie = sets.find((s) => s.identity === id('default/tiefighter'))!;
    expect(show(tie)).toEqual([
      'landing spec.ingress[0].toPorts[0].rules.http[0]: ^(?:POST)$ ^(?:/v1/request-landing)$ *',
      'status spec.ingress[0].toPorts[0].rules.http[0]: ^(?:GET)$ ^(?:/v1/status)$ *',
    ]);
    // the deathstar itself is empire but not a tiefighter: only the landing rule
    expect(show(sets.find((s) => s.identity === id('default/deathstar'))!)).toHaveLength(1);
  });

  it('adds a match-all rule where another policy allows the same peer and port at L4 only', () => {
    const l4 = {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { class: 'tiefighter' } }], toPorts: [{ ports: [{ port: '80' }] }] },
        { fromEndpoints: [{ matchLabels: { class: 'deathstar' } }], toPorts: [{ ports: [{ port: '443' }] }] },
      ],
    };
    const { sets, id } = l7Of(starWars().policy('landing', landing).policy('l4', l4).build());
    expect(show(sets.find((s) => s.identity === id('default/tiefighter'))!)).toContain(
      'l4 spec.ingress[0].toPorts[0]: * * *',
    );
    // port 443 does not cover port 80
    expect(show(sets.find((s) => s.identity === id('default/deathstar'))!)).toHaveLength(1);
  });

  it('folds rules for any peer (no fromEndpoints) into each identity, and L3-only allows match everything', () => {
    const anyPeer = {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{ path: '/health' }] } }] }],
    };
    const l3 = {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { class: 'xwing' } }] }],
    };
    const { sets, id } = l7Of(starWars().policy('landing', landing).policy('any', anyPeer).policy('l3', l3).build());
    expect(sets.map((s) => s.identity)).toContain(0);
    expect(show(sets.find((s) => s.identity === id('default/tiefighter'))!)).toEqual([
      'landing spec.ingress[0].toPorts[0].rules.http[0]: ^(?:POST)$ ^(?:/v1/request-landing)$ *',
      'any spec.ingress[0].toPorts[0].rules.http[0]: * ^(?:/health)$ *',
    ]);
    expect(show(sets.find((s) => s.identity === 0)!)).toEqual([
      'any spec.ingress[0].toPorts[0].rules.http[0]: * ^(?:/health)$ *',
    ]);
  });

  it('resolves a named port on the endpoint and ignores deny items', () => {
    const named = {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [
        { fromEndpoints: [{}], toPorts: [{ ports: [{ port: 'http' }], rules: { http: [{ method: 'GET' }] } }] },
      ],
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { class: 'xwing' } }], toPorts: [{ ports: [{ port: '80' }] }] }],
    };
    const { sets } = l7Of(starWars().policy('named', named).build());
    expect(new Set(sets.map((s) => s.port))).toEqual(new Set([80]));
    expect(sets.every((s) => s.rules.length === 1 && s.rules[0]!.method === '^(?:GET)$')).toBe(true);
  });
});

describe('L7 rule compile: headers', () => {
  it('reads headers (presence and value) and headerMatches with their mismatch actions', () => {
    const hdr = {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [
        {
          toPorts: [
            {
              ports: [{ port: '80', protocol: 'TCP' as const }],
              rules: {
                http: [
                  {
                    headers: ['X-My-Header: true', 'X-Present'],
                    headerMatches: [
                      { name: 'X-Token', value: 'abc', mismatch: 'REPLACE' as const },
                      { name: 'X-Audit', mismatch: 'LOG' as const },
                      { name: 'X-Secret', secret: { name: 's' } },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    const { sets } = l7Of(starWars().policy('hdr', hdr).build());
    expect(sets[0]!.rules[0]!.headers).toEqual([
      { name: 'x-my-header', match: 'exact', value: 'true', mismatch: null },
      { name: 'x-present', match: 'present', value: '', mismatch: null },
      { name: 'x-token', match: 'exact', value: 'abc', mismatch: 'REPLACE' },
      { name: 'x-audit', match: 'present', value: '', mismatch: 'LOG' },
      { name: 'x-secret', match: 'fail', value: '', mismatch: null },
    ]);
  });

  it('drops an HTTP rule whose regex does not compile, with a warning naming the field', () => {
    const bad = {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{ path: '/v1/(' }, { method: 'GET' }] } }] }],
    };
    const { sets, warnings } = l7Of(starWars().policy('bad', bad).build());
    expect(sets[0]!.rules.map((r) => r.ref.path)).toEqual(['spec.ingress[0].toPorts[0].rules.http[1]']);
    expect(warnings.map((w) => `${w.code} ${w.path}`)).toEqual([
      'W_L7_REGEX_INVALID spec.ingress[0].toPorts[0].rules.http[0].path',
    ]);
  });
});

const corpus = fileURLToPath(
  new URL('../../../../shared/conformance/cilium/examples/policies/l7/http/', import.meta.url),
);

describe.skipIf(!existsSync(corpus))('L7 rule compile: Cilium conformance examples (../shared)', () => {
  const read = (name: string) => readFileSync(`${corpus}${name}`, 'utf8');
  const cluster = () =>
    twoNodeCluster()
      .endpoint('svc', 'n1', { labels: { app: 'myService', env: 'prod', 'app-2': 'x' } })
      .endpoint('client', 'n1', { labels: { app: 'service', env: 'prod' } });

  it('http.yaml: any peer, GET /path1$ or PUT /path2$ with X-My-Header: true', () => {
    const { sets } = l7Of(withPolicies(cluster(), policiesFrom({ 'p/http.yaml': read('http.yaml') })));
    expect(sets.map((s) => [s.endpoint, s.identity, s.port])).toEqual([['default/svc', 0, 80]]);
    expect(sets[0]!.rules.map((r) => [r.method, r.path, r.headers.map((h) => `${h.name}=${h.value}`)])).toEqual([
      ['^(?:GET)$', '^(?:/path1$)$', []],
      ['^(?:PUT)$', '^(?:/path2$)$', ['x-my-header=true']],
    ]);
  });

  it('l7_multi.yaml: ingress GET /public from prod, and egress POST to a host regex', () => {
    const { sets, id } = l7Of(withPolicies(cluster(), policiesFrom({ 'p/multi.yaml': read('l7_multi.yaml') })));
    const ingress = sets.filter((s) => s.direction === 'ingress');
    const egress = sets.filter((s) => s.direction === 'egress');
    expect(ingress.map((s) => s.identity).sort()).toEqual([id('default/client'), id('default/svc')].sort());
    expect(ingress.every((s) => s.endpoint === 'default/client' && s.rules[0]!.path === '^(?:/public)$')).toBe(true);
    expect(egress.map((s) => `${s.endpoint} ${s.identity}`).sort()).toEqual(['default/client 0', 'default/svc 0']);
    expect(egress[0]!.rules[0]!).toMatchObject({ method: '^(?:POST)$', host: '^(?:^external-service.org$)$' });
    expect(egress[0]!.rules[0]!.ref.path).toBe('specs[1].egress[0].toPorts[0].rules.http[0]');
  });
});
