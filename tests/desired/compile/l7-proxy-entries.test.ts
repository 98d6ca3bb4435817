import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import { proxyPort } from '../../../src/desired/compile/policy/proxy-port.js';
import { asObserved, plan } from '../../../src/reconciler/plan.js';
import { renderText } from '../../../src/reconciler/render/text.js';
import { renderContext } from '../../../src/reconciler/render/render-context.js';
import { twoNodeCluster } from '../../support/model-builder.js';

// The l7proxy kind: the node's L7 rule sets as desired entries, so a plan
// names an HTTP rule change by the policy and file:line it comes from.

const withRules = (http: { method: string; path: string }[]) =>
  twoNodeCluster()
    .endpoint('deathstar', 'n1', { labels: { org: 'empire', class: 'deathstar' } })
    .endpoint('tiefighter', 'n2', { labels: { org: 'empire', class: 'tiefighter' } })
    .policy('rule1', {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [
        {
          fromEndpoints: [{ matchLabels: { org: 'empire' } }],
          toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http } }],
        },
      ],
    })
    .build();

const LANDING = { method: 'POST', path: '/v1/request-landing' };

describe('the l7proxy kind', () => {
  it('holds one entry per rule set of the node, on its direction’s proxy port, named after its policy', () => {
    const n1 = compile(withRules([LANDING]), 'n1').resources.l7proxy;
    // One set per empire identity: the deathstar's own and the tiefighter's.
    expect(n1).toHaveLength(2);
    const e = n1.find((x) => x.label?.includes('class=tiefighter'));
    expect(e!.value).toMatchObject({
      direction: 'ingress',
      port: 80,
      portPrefixLen: 16,
      endpoint: 'default/deathstar',
    });
    expect(e!.value.proxyPort).toBe(proxyPort('http', 'ingress'));
    expect(e!.value.rules.map((r) => [r.method, r.path])).toEqual([['^(?:POST)$', '^(?:/v1/request-landing)$']]);
    expect(e!.label).toMatch(
      /^l7 ingress default\/deathstar :80 from \d+ \(class=tiefighter,org=empire\) rules of default\/rule1 \(model\.yaml:\d+\)$/,
    );
    // The tiefighter's node has no L7 endpoint: no proxy there.
    expect(compile(withRules([LANDING]), 'n2').resources.l7proxy).toEqual([]);
  });

  it('plans a rule change as an update of the rule set, named with the policy', () => {
    const before = compile(withRules([LANDING]), 'n1');
    const after = compile(withRules([LANDING, { method: 'GET', path: '/v1/' }]), 'n1');
    const set = plan(after, asObserved(before));
    const l7 = set.changes.filter((c) => c.resource === 'l7proxy');
    expect(l7.map((c) => c.action)).toEqual(['update', 'update']);
    const text = renderText(set, renderContext([before, after]));
    expect(text).toMatch(
      /~ .*l7 ingress default\/deathstar :80 from \d+ \(class=tiefighter,org=empire\) rules of default\/rule1 \(model\.yaml:\d+\)/,
    );
    // Removing the HTTP rules altogether stops the proxy's rule set: a delete.
    const l4 = compile(withRules([]), 'n1');
    expect(
      plan(l4, asObserved(before))
        .changes.filter((c) => c.resource === 'l7proxy')
        .map((c) => c.action),
    ).toEqual(['delete', 'delete']);
  });
});
