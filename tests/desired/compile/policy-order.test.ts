import { describe, expect, it } from 'vitest';
import { compile, compareKeys } from '../../../src/desired/compile.js';
import { twoNodeCluster } from '../../support/model-builder.js';

// Entries whose keys differ in every field, with numbers of different digit counts.
const model = () => {
  const b = twoNodeCluster();
  for (let i = 0; i < 12; i++) b.endpoint(`pod-${i}`, i % 3 === 0 ? 'n2' : 'n1', { labels: { app: `app-${i % 4}` } });
  return b
    .policy('mixed', {
      endpointSelector: {},
      ingress: [
        {
          fromEndpoints: [{ matchLabels: { app: 'app-1' } }, { matchLabels: { app: 'app-2' } }],
          toPorts: [{ ports: [{ port: '7' }, { port: '80', endPort: 1030, protocol: 'TCP' }] }],
        },
        { fromCIDR: ['192.0.2.0/24', '198.51.100.7/32'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
      ],
      egress: [
        { toEndpoints: [{ matchLabels: { app: 'app-3' } }], toPorts: [{ ports: [{ port: '9' }] }] },
        { toEntities: ['world'], icmps: [{ fields: [{ type: 8 }] }] },
      ],
      egressDeny: [{ toCIDR: ['192.0.2.128/25'] }],
    })
    .build();
};

describe('policy entries', () => {
  it('are in key order (numbers by value) however many there are', () => {
    const keys = compile(model(), 'n1').resources.policy.map((e) => e.key);
    expect(keys.length).toBeGreaterThan(200);
    expect(new Set(keys.map((k) => k.split('/')[0])).size).toBeGreaterThan(1);
    expect([...keys].sort(compareKeys)).toEqual(keys);
  });
});
