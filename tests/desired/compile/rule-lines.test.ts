import { describe, expect, it } from 'vitest';
import { ruleRefs } from '../../../src/desired/compile/policy/rule-refs.js';
import { cnp, load } from '../load/tree-of.js';

// A policy with two rules (specs), the first with two ingress items: each item
// is a rule of its own in events and plans, and is named by its own line.
const policy = cnp('', 'multi').replace(
  'spec:\n',
  'specs:\n' +
    '  - endpointSelector: {}\n' + //            line 6
    '    ingress:\n' + //                        line 7
    '      - fromEntities: [world]\n' + //       line 8
    '      - fromEntities: [cluster]\n' + //     line 9
    '        toPorts:\n' +
    '          - ports: [{port: "80"}]\n' +
    '  - endpointSelector: {}\n' + //            line 12
    '    egressDeny:\n' + //                     line 13
    '      - toCIDR: [10.0.0.0/8]\n', //         line 14
);

describe('rule references', () => {
  it('point at the line of their ingress or egress item, not at the rule or the spec', () => {
    const res = load({ 'p.yaml': policy });
    expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const refs = ruleRefs(res.model!.policies)
      .flat(2)
      .map((r) => `${r.path} ${r.file}:${r.line}`);
    expect(refs.sort()).toEqual([
      'specs[0].ingress[0] p.yaml:8',
      'specs[0].ingress[1] p.yaml:9',
      'specs[1].egressDeny[0] p.yaml:14',
    ]);
  });
});
