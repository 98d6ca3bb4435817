import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import { twoNodeCluster } from '../../support/model-builder.js';

// One rule with every item-level warning, selecting an endpoint on n2 only: n1 builds none of its entries.
const model = () =>
  twoNodeCluster()
    .endpoint('a', 'n1', { labels: { app: 'a' } })
    .endpoint('b', 'n2', { labels: { app: 'b' } })
    .policy('noisy', {
      endpointSelector: { matchLabels: { app: 'b', 'k8s:io.kubernetes.pod.namespace': 'other' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'a' } }] },
        {
          fromRequires: [{ matchLabels: { app: 'a' } }],
          fromCIDRSet: [{ cidrGroupRef: 'group' }],
          fromEntities: ['cluster-mesh'],
          authentication: { mode: 'required' },
          toPorts: [
            {
              ports: [{ port: '70000' }, { port: '80' }],
              rules: { dns: [{ matchName: 'x' }], l7proto: 'foo' },
              serverNames: ['example.com'],
            },
          ],
          icmps: [{ fields: [{ type: 'Nope' }, { type: 8, family: 'IPv6' }] }],
        },
      ],
      egressDeny: [
        { toServices: [{ k8sService: { serviceName: 'x' } }], toPorts: [{ rules: { http: [{ path: '/' }] } }] },
      ],
    })
    .build();

const EXPECTED = [
  'W_POLICY_NAMESPACE_IGNORED spec.endpointSelector',
  'W_UNSUPPORTED_FIELD spec.egressDeny[0].toServices',
  'W_UNSUPPORTED_FIELD spec.egressDeny[0].toPorts[0].rules',
  'W_ICMPV6_UNSUPPORTED spec.ingress[1].icmps[0].fields[1]',
  'W_ICMP_TYPE_UNKNOWN spec.ingress[1].icmps[0].fields[0].type',
  'W_UNSUPPORTED_FIELD spec.ingress[1].authentication',
  'W_UNSUPPORTED_FIELD spec.ingress[1].fromCIDRSet[0]',
  'W_UNSUPPORTED_FIELD spec.ingress[1].fromEntities',
  'W_UNSUPPORTED_FIELD spec.ingress[1].fromRequires',
  'W_PORT_OUT_OF_RANGE spec.ingress[1].toPorts[0].ports[0].port',
  'W_UNSUPPORTED_FIELD spec.ingress[1].toPorts[0].rules.dns',
  'W_UNSUPPORTED_FIELD spec.ingress[1].toPorts[0].rules.l7proto',
  'W_UNSUPPORTED_FIELD spec.ingress[1].toPorts[0].serverNames',
];

describe("a rule's warnings", () => {
  it('are given by every node, also one holding no endpoint the rule selects', () => {
    for (const node of ['n1', 'n2']) {
      const warnings = compile(model(), node).warnings.map((w) => `${w.code} ${w.path}`);
      expect(warnings.sort()).toEqual([...EXPECTED].sort());
    }
  });

  it('are the same whether or not the node builds the rule’s entries', () => {
    const n1 = compile(model(), 'n1');
    const n2 = compile(model(), 'n2');
    expect(n2.resources.policy.length).toBeGreaterThan(0);
    expect(n1.resources.policy).toEqual([]);
    expect(n1.warnings.filter((w) => w.code !== 'W_NAMED_PORT_UNRESOLVED')).toEqual(
      n2.warnings.filter((w) => w.code !== 'W_NAMED_PORT_UNRESOLVED'),
    );
  });
});
