import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError, formatDiagnostic } from '../../../src/desired/diagnostics.js';
import { loadModel } from '../../../src/desired/load-model.js';
import { cnp, errorsOf, load, treeOf } from './tree-of.js';

const seedDir = new URL('../../fixtures/seed/', import.meta.url);
const seedFiles = readdirSync(seedDir).sort();
const seed = (name: string) => readFileSync(new URL(name, seedDir));

const ccnp = (name: string) =>
  cnp('  endpointSelector: {}\n  ingress:\n  - {}\n', name).replace(
    'CiliumNetworkPolicy',
    'CiliumClusterwideNetworkPolicy',
  );

describe('loading a commit into a model', () => {
  it.each(seedFiles)('accepts the seed example %s with only the expected warnings', (name) => {
    const res = load({ [`policies/${name}`]: seed(name) });
    expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const codes = res.diagnostics.map((d) => `${d.code} ${d.path}`);
    const expected = {
      'cidr-policy.yaml': [],
      'tcp-policy.yaml': ['W_DROPPED_FIELD description'],
      'l7-http-policy.yaml': ['W_DROPPED_FIELD description', 'W_L7_AS_L4 spec.ingress[0].toPorts[0].rules.http'],
    }[name];
    expect(codes).toEqual(expected);
    expect(res.model?.policies).toHaveLength(1);
  });

  it('rejects the three seed examples together, because two of them are both named default/rule1', () => {
    const files = Object.fromEntries(seedFiles.map((n) => [`policies/${n}`, seed(n)]));
    expect(errorsOf(files)).toEqual([
      'policies/tcp-policy.yaml:5: metadata.name: CiliumNetworkPolicy default/rule1 is already declared at policies/l7-http-policy.yaml:1',
    ]);
  });

  it('sorts declarations by kind, namespace and name, and keeps each source', () => {
    const res = load({
      'z.yaml': cnp('  endpointSelector: {}\n  ingress:\n  - {}\n', 'b'),
      'y.yaml': ccnp('a'),
      'x.yaml': cnp('  endpointSelector: {}\n  ingress:\n  - {}\n', 'a').replace(
        '  name: a\n',
        '  name: a\n  namespace: zeta\n',
      ),
      'w.yaml': cnp('  endpointSelector: {}\n  ingress:\n  - {}\n', 'c'),
    });
    expect(
      res.model?.policies.map((p) => `${p.kind}/${p.namespace}/${p.name}@${p.source.file}:${p.source.line}`),
    ).toEqual([
      'CiliumClusterwideNetworkPolicy/null/a@y.yaml:1',
      'CiliumNetworkPolicy/default/b@z.yaml:1',
      'CiliumNetworkPolicy/default/c@w.yaml:1',
      'CiliumNetworkPolicy/zeta/a@x.yaml:1',
    ]);
  });

  it('splits spec and specs into rules, each with its path and line', () => {
    const doc =
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\nspec:\n  endpointSelector: {}\n  ingress: [{}]\n' +
      'specs:\n- endpointSelector: {}\n  egress: [{}]\n- endpointSelector: {}\n  egressDeny: [{}]\n';
    const rules = load({ 'p.yaml': doc }).model?.policies[0]?.rules;
    expect(rules?.map((r) => `${r.path}@${r.source.line}`)).toEqual(['spec@5', 'specs[0]@9', 'specs[1]@11']);
  });

  it('carries the revision and the warnings into the model', () => {
    const model = loadModel(treeOf({ 'tcp.yaml': seed('tcp-policy.yaml') }, 'a'.repeat(40)));
    expect(model.revision).toBe('a'.repeat(40));
    expect(model.warnings.map((w) => w.code)).toEqual(['W_DROPPED_FIELD']);
  });

  it('throws one ValidationError carrying every error of every file', () => {
    const tree = treeOf({
      'a.yaml': cnp('  ingress:\n  - {}\n', 'a'),
      'b.yaml': 'a: 1\na: 2\n',
      'c/d.yaml': cnp('  endpointSelector: {}\n  egress:\n  - toCIDR: [nope]\n', 'd'),
    });
    let caught: unknown;
    try {
      loadModel(tree);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const err = caught as ValidationError;
    expect(err.code).toBe('E_VALIDATION');
    expect(err.diagnostics.map(formatDiagnostic).map((m) => m.split(': ')[0])).toEqual([
      'b.yaml:2',
      'a.yaml:5',
      'c/d.yaml:8',
    ]);
    expect(err.message).toMatch(/^3 validation error\(s\):\n/);
  });

  it('ignores workloads and tool configs with a warning naming file, line and kind', () => {
    const res = load({
      'app.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: y}\n',
      'cdk8s.yaml': 'language: typescript\napp: npx ts-node main.ts\n',
    });
    expect(res.model).not.toBeNull();
    expect(res.diagnostics.map(formatDiagnostic)).toEqual([
      'warning: app.yaml:1: ignored Deployment (apps/v1): not a kind gitwire handles',
      'warning: app.yaml:5: ignored Service (v1): not a kind gitwire handles',
      'warning: cdk8s.yaml:1: document has no apiVersion and kind, so it is not a Kubernetes object (a tool config such as cdk8s.yaml?); ignored',
    ]);
  });
});
