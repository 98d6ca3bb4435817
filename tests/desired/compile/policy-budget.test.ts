import { describe, expect, it } from 'vitest';
import { PolicyTooLargeError } from '../../../src/desired/compile/policy/policy-budget.js';
import { compile } from '../../../src/desired/index.js';
import { asObserved, emptyObserved, plan } from '../../../src/reconciler/plan.js';
import { failureKind } from '../../../src/reconciler/agent/failure-kind.js';
import { load } from '../load/tree-of.js';

const head = (kind: string, name: string, meta = '') =>
  `apiVersion: gitwire.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${meta}spec:\n`;

/** `endpoints` endpoints on node n1, each its own identity, and one policy letting all of them reach all on `ports` ports. */
function allToAll(endpoints: number, ports: number): Record<string, string> {
  const eps = Array.from(
    { length: endpoints },
    (_, i) =>
      `${head('Endpoint', `ep-${i}`, `  labels: {app: ep-${i}}\n`)}  node: n1\n  address: 10.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}\n`,
  );
  // Cilium allows 40 ports per toPorts entry.
  const toPorts = Array.from({ length: Math.ceil(ports / 40) }, (_, b) => {
    const list = Array.from({ length: Math.min(40, ports - b * 40) }, (_, i) => `{port: "${8000 + b * 40 + i}"}`);
    return `    - ports: [${list.join(', ')}]\n`;
  }).join('');
  return {
    'c.yaml': `${head('Cluster', 'c')}  clusterCIDR: 10.0.0.0/16\n`,
    'n.yaml': `${head('Node', 'n1')}  address: 192.168.1.1\n  podCIDR: 10.0.0.0/20\n`,
    'eps.yaml': eps.join('---\n'),
    'p.yaml':
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: all-to-all\nspec:\n' +
      `  endpointSelector: {}\n  ingress:\n  - fromEndpoints: [{}]\n    toPorts:\n${toPorts}`,
  };
}

describe('policy expansion is bounded by the policy map', () => {
  it('stops an all-to-all policy over 500 endpoints and 80 ports with an error naming policy, endpoint and count', () => {
    const files = allToAll(500, 80);
    const res = load(files);
    expect(res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
    const before = process.memoryUsage().heapUsed;
    let err: unknown;
    try {
      compile(res.model!, 'n1');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyTooLargeError);
    const e = err as PolicyTooLargeError;
    expect(e.message).toMatch(
      /^policy default\/all-to-all \(p\.yaml:5\) on node n1, endpoint default\/ep-\d+: .* \d+ entries; the policy map holds 65536/,
    );
    expect(e.data.count).toBeGreaterThan(65_536);
    expect(failureKind(e)).toBe('stalled');
    // Stopped near the capacity, not after materializing 500 × 500 × 80 entries (gigabytes).
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(512 * 1024 * 1024);
  });

  it('compiles and plans a policy just under the capacity', () => {
    // 100 endpoints × 100 peer identities × 2 ports × TCP, UDP and SCTP: 60,000 entries.
    const res = load(allToAll(100, 2));
    const desired = compile(res.model!, 'n1');
    expect(desired.resources.policy).toHaveLength(60_000);
    const changes = plan(desired, emptyObserved('n1'));
    expect(changes.changes.length).toBeGreaterThan(60_000);
    expect(plan(desired, asObserved(desired)).changes).toEqual([]);
  });

  it('plans a kind with 500,000 changes without overflowing the stack', () => {
    const desired = compile(load(allToAll(2, 1)).model!, 'n1');
    const one = desired.resources.policy[0]!;
    const many = Array.from({ length: 500_000 }, (_, i) => ({ ...one, key: `${one.key}/${i}` }));
    const huge = { ...desired, resources: { ...desired.resources, policy: many } };
    expect(plan(huge, emptyObserved('n1')).summary.create).toBeGreaterThanOrEqual(500_000);
  });
});
