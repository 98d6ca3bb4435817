import { describe, expect, it } from 'vitest';
import { compile, compileAll, CompileCache } from '../../../src/desired/compile.js';
import { buildClusterView } from '../../../src/desired/compile/cluster-view.js';
import { compilePolicyRules } from '../../../src/desired/compile/policy/compile-policy-rules.js';
import { RuleMemo } from '../../../src/desired/compile/policy/rule-memo.js';
import { allocateLocalIdentities, modelLabelSets } from '../../../src/desired/identity/index.js';
import { Warnings } from '../../../src/desired/compile/warnings.js';
import type { Model } from '../../../src/desired/model.js';
import { twoNodeCluster } from '../../support/model-builder.js';

const base = (): Model =>
  twoNodeCluster({ loadBalancer: { maglevTableSize: 251 } })
    .endpoint('deathstar', 'n1', { labels: { class: 'deathstar' }, ports: [{ name: 'http', containerPort: 80 }] })
    .endpoint('xwing', 'n2', { labels: { class: 'xwing' } })
    .service('deathstar', {
      ports: [{ port: 80, targetPort: 'http' }],
      selector: { class: 'deathstar' },
      algorithm: 'maglev',
    })
    .service('api', { ports: [{ port: 443 }], backends: [{ address: '10.0.2.9' }, { address: '10.0.1.8' }] })
    .policy('rule1', {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { class: 'xwing' } }], toPorts: [{ ports: [{ port: '80' }] }] }],
    })
    .build();

/** The next commit: the same declarations (same objects) but for one changed part. */
const next = (m: Model, change: Partial<Model>): Model => ({ ...m, revision: 'next', ...change });

describe('compiling with a CompileCache', () => {
  it('gives exactly what a compile without the cache gives, for each of several commits', () => {
    const cache = new CompileCache();
    const a = base();
    const [policy] = base().policies;
    const [, api] = base().services;
    const commits = [
      a,
      next(a, { policies: [policy!] }),
      next(a, {
        services: [
          a.services[0]!,
          { ...api!, spec: { ...api!.spec, backends: [{ ...api!.spec.backends[0]!, port: 8443 }] } },
        ],
      }),
      next(a, { endpoints: [a.endpoints[0]!] }),
      a,
    ];
    for (const m of commits) {
      for (const node of ['n1', 'n2']) {
        expect(JSON.stringify(compile(m, node, { cache }))).toBe(JSON.stringify(compile(m, node)));
      }
    }
  });

  it('hands back the previous load-balancer entries when Services and Endpoints did not change', () => {
    const cache = new CompileCache();
    const a = base();
    const before = compile(a, 'n1', { cache });
    const after = compile(next(a, { policies: [] }), 'n1', { cache });
    expect(after.resources.maglev).toBe(before.resources.maglev);
    expect(after.resources.service).toBe(before.resources.service);
    expect(after.resources.policy).toEqual([]);
    expect(after.inputs.commit).toBe('next');
  });

  it("hands back the node's devices, routes, tunnels and attachments when only policies changed", () => {
    const cache = new CompileCache();
    const a = base();
    const before = compile(a, 'n1', { cache });
    const after = compile(next(a, { policies: [] }), 'n1', { cache });
    for (const kind of ['link', 'route', 'tunnel', 'program'] as const) {
      expect(after.resources[kind]).toBe(before.resources[kind]);
    }
    expect(after.resources.link.length).toBeGreaterThan(0);
    const moved = compile(next(a, { endpoints: [a.endpoints[0]!] }), 'n1', { cache });
    expect(moved.resources.route).not.toBe(before.resources.route);
  });

  it('reuses the work for an equal identity table from a new allocator run, not for a different one', () => {
    const cache = new CompileCache();
    const a = base();
    const table = () => new Map([...allocateLocalIdentities(modelLabelSets(a))].map(([k, v]) => [k, v + 1000]));
    const before = compile(a, 'n1', { cache, identities: table() });
    expect(compile(next(a, {}), 'n1', { cache, identities: table() }).resources.service).toBe(before.resources.service);
    const moved = new Map([...table()].map(([k, v]) => [k, v + 1]));
    const after = compile(next(a, {}), 'n1', { cache, identities: moved });
    expect(JSON.stringify(after)).toBe(JSON.stringify(compile(next(a, {}), 'n1', { identities: moved })));
    expect(after.resources.endpoint).not.toEqual(before.resources.endpoint);
  });

  it('recomputes what a changed Service touches', () => {
    const cache = new CompileCache();
    const a = base();
    const before = compile(a, 'n1', { cache });
    const [deathstar, api] = a.services;
    const moved = { ...api!, spec: { ...api!.spec, backends: [{ ...api!.spec.backends[0]!, address: '10.0.2.10' }] } };
    const after = compile(next(a, { services: [deathstar!, moved] }), 'n1', { cache });
    expect(after.resources.backend).not.toEqual(before.resources.backend);
    expect(after.resources.maglev).toEqual(before.resources.maglev);
  });

  it('recompiles only the rules of a changed policy, and all of them when CIDR identities move', () => {
    const cache = new CompileCache();
    const a = base();
    const cidrPolicy = twoNodeCluster()
      .policy('egress', {
        endpointSelector: { matchLabels: { class: 'xwing' } },
        egress: [{ toCIDR: ['192.0.2.0/24'] }],
      })
      .build().policies[0]!;
    const withCidr = next(a, { policies: [...a.policies, cidrPolicy] });
    const renamed = next(a, { policies: [{ ...a.policies[0]!, name: 'rule2' }, cidrPolicy] });
    const moved = next(a, {
      policies: [
        a.policies[0]!,
        {
          ...cidrPolicy,
          rules: [
            {
              ...cidrPolicy.rules[0]!,
              rule: { ...cidrPolicy.rules[0]!.rule, egress: [{ toCIDR: ['198.51.100.0/24'] }] },
            },
          ],
        },
      ],
    });
    for (const m of [a, withCidr, withCidr, renamed, moved, a]) {
      expect(JSON.stringify(compile(m, 'n1', { cache }))).toBe(JSON.stringify(compile(m, 'n1')));
    }
  });

  it('hands back the compiled rules of unchanged policies', () => {
    const a = base();
    const other = { ...a.policies[0]!, name: 'rule2', rules: a.policies[0]!.rules.map((r) => ({ ...r })) };
    const memo = new RuleMemo();
    const view = buildClusterView(a);
    const first = compilePolicyRules(view, [a.policies[0]!, other], new Warnings(), memo);
    const changed = { ...other, rules: other.rules.map((r) => ({ ...r })) };
    const second = compilePolicyRules(view, [a.policies[0]!, changed], new Warnings(), memo);
    expect(second.rules[0]).toBe(first.rules[0]);
    expect(second.rules[1]).not.toBe(first.rules[1]);
    expect(second.rules[1]).toEqual(first.rules[1]);
  });

  it('keeps the entries of a bounded number of nodes', () => {
    const cache = new CompileCache(1);
    const a = base();
    const n1 = compile(a, 'n1', { cache });
    compile(a, 'n2', { cache });
    expect(compile(a, 'n1', { cache }).resources.ipcache).not.toBe(n1.resources.ipcache);
    expect(compileAll(a, { cache }).get('n1')).toEqual(n1);
  });
});

describe('a changed rule with a CompileCache', () => {
  const rules = (deny: boolean, port: string) =>
    twoNodeCluster()
      .endpoint('db', 'n1', { labels: { app: 'db' }, ports: [{ name: 'sql', containerPort: 5432 }] })
      .endpoint('web', 'n1', { labels: { app: 'web' } })
      .endpoint('ops', 'n2', { labels: { app: 'ops' } })
      .policy('db-from-web', {
        endpointSelector: { matchLabels: { app: 'db' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: 'sql' }] }] }],
      })
      .policy('db-from-ops', {
        endpointSelector: { matchLabels: { app: 'db' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'ops' } }], toPorts: [{ ports: [{ port }] }] }],
        ...(deny ? { ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'ops' } }] }] } : {}),
      })
      .build();

  it('compiles to exactly what a compile without the cache gives, commit after commit', () => {
    const cache = new CompileCache();
    const a = rules(false, '5432');
    const commits = [a, next(a, { policies: [a.policies[0]!, rules(true, '5432').policies[1]!] })];
    commits.push(next(a, { policies: [a.policies[0]!, rules(false, '6000-6010').policies[1]!] }), a);
    for (const m of commits) {
      for (const node of ['n1', 'n2']) {
        expect(JSON.stringify(compile(m, node, { cache }))).toBe(JSON.stringify(compile(m, node)));
      }
    }
  });

  it('keeps the entries of the rules that did not change, and makes new ones for the changed rule', () => {
    const cache = new CompileCache();
    const a = rules(false, '5432');
    const before = compile(a, 'n1', { cache }).resources.policy;
    const changed = rules(false, '7000').policies[1]!;
    const after = compile(next(a, { policies: [a.policies[0]!, changed] }), 'n1', { cache }).resources.policy;
    const byRule = (list: typeof before, name: string) => list.filter((e) => e.label?.endsWith(name));
    expect(byRule(after, 'db-from-web')).toHaveLength(1);
    expect(byRule(after, 'db-from-web')[0]).toBe(byRule(before, 'db-from-web')[0]);
    const ports = (list: typeof before) => [...new Set(byRule(list, 'db-from-ops').map((e) => e.value.port))];
    expect(ports(after)).toEqual([7000]);
    expect(ports(before)).toEqual([5432]);
  });
});
