import { describe, expect, it } from 'vitest';
import { cnp, errorsOf, warningsOf } from '../load/tree-of.js';

describe('validation reports every mistake and never drops a declaration silently', () => {
  it("reports a rule's other errors alongside its unknown field", () => {
    const body =
      '  endpointSelector: {}\n  ingress:\n  - fromEndpoints: [{matchLabels: {a: b}}]\n' +
      '    toPorts: [{ports: [{port: "99999"}]}]\n    bogus: 1\n';
    const errors = errorsOf({ 'p.yaml': cnp(body) });
    expect(errors).toContain('p.yaml:10: spec.ingress[0].bogus: unknown field "bogus"');
    expect(errors.filter((e) => e.includes('toPorts[0].ports[0].port'))).toHaveLength(1);
  });

  it('reports the errors of every rule of specs when one of them has an unknown field', () => {
    const body =
      'specs:\n- endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: "70000"}]}]}]\n  typo: 1\n' +
      '- endpointSelector: {}\n  egress: [{toCIDR: ["10.0.0.0/33"]}]\n';
    const doc = cnp('').replace('spec:\n', body);
    const errors = errorsOf({ 'p.yaml': doc });
    expect(errors).toContain('p.yaml:8: specs[0].typo: unknown field "typo"');
    expect(errors.some((e) => e.startsWith('p.yaml:7: specs[0].ingress[0].toPorts[0].ports[0].port'))).toBe(true);
    expect(errors.some((e) => e.startsWith('p.yaml:10: specs[1].egress[0].toCIDR[0]'))).toBe(true);
  });

  it('rejects a misspelt kind in the cilium.io group with a did-you-mean, instead of a warning', () => {
    const doc = cnp('  endpointSelector: {}\n  ingress:\n  - {}\n').replace(
      'kind: CiliumNetworkPolicy',
      'kind: CiliumNetworkPolcy',
    );
    expect(errorsOf({ 'p.yaml': doc })).toEqual([
      'p.yaml:2: kind: unknown kind CiliumNetworkPolcy in cilium.io/v2; did you mean CiliumNetworkPolicy? (gitwire reads CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy there)',
    ]);
  });

  it('still skips, with a warning, a kind Cilium serves that gitwire does not handle', () => {
    const doc = 'apiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata:\n  name: g\nspec: {}\n';
    expect(errorsOf({ 'g.yaml': doc })).toEqual([]);
    expect(warningsOf({ 'g.yaml': doc })).toEqual([
      'warning: g.yaml:1: ignored CiliumCIDRGroup (cilium.io/v2alpha1): not a kind gitwire handles',
    ]);
  });
});
