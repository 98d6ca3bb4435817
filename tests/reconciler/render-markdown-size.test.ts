import { describe, expect, it } from 'vitest';
import type { DesiredState, Entry, IpcacheValue, PolicyValue, RuleRef } from '../../src/desired/desired-state.js';
import type { ChangeSet } from '../../src/reconciler/change-set.js';
import { emptyObserved, plan } from '../../src/reconciler/plan.js';
import { PR_COMMENT_LIMIT, renderContext, renderMarkdown } from '../../src/reconciler/render/index.js';
import { desiredWith } from '../support/desired-fixture.js';
import { outsideFences } from '../support/markdown-blocks.js';

const POLICIES = 300;
const PER_POLICY = 60;
const PREFIXES = 4000;

/** A fresh node of a large cluster: 18,000 policy entries from 300 policies, 4,000 ipcache entries. */
function largeNode(node: string): DesiredState {
  const rules: RuleRef[] = Array.from({ length: POLICIES }, (_, i) => ({
    ...{ id: i + 1, kind: 'CiliumNetworkPolicy', namespace: 'team', name: `policy-${i}` },
    ...{ path: 'spec.ingress[0]', file: `policies/p${i}.yaml`, line: 12 },
  }));
  const policy: Entry<PolicyValue>[] = [];
  for (let r = 0; r < POLICIES; r++) {
    for (let j = 0; j < PER_POLICY; j++) {
      const identity = 1000 + j;
      const port = 1 + r;
      policy.push({
        key: `7/ingress/${identity}/6/${port}/16`,
        value: {
          ...{ endpointId: 7, direction: 'ingress', identity, protocol: 6, port, portPrefixLen: 16 },
          ...{ verdict: 'allow', proxyPort: 0, ruleId: r + 1 },
        },
      });
    }
  }
  policy.sort((a, b) => (a.key < b.key ? -1 : 1));
  const ipcache: Entry<IpcacheValue>[] = Array.from({ length: PREFIXES }, (_, i) => {
    const prefix = `10.${i >> 8}.${i & 255}.1/32`;
    return { key: prefix, label: `team/pod-${i}`, value: { prefix, identity: 1000 + (i % 60), tunnelEndpoint: null } };
  });
  return { ...desiredWith(node, 'b'.repeat(40), { policy, ipcache }), rules };
}

const state = largeNode('node-1');
const set = plan(state, emptyObserved('node-1'));
const contexts = [renderContext([state])];

const entryLines = (md: string) => md.split('\n').filter((l) => /^\+ /.test(l)).length;

describe('the Markdown report of a large plan', () => {
  it('fits in a pull-request comment, with counts per kind and per policy and the full plan named', () => {
    const md = renderMarkdown([set], { contexts, planFile: 'plan.md' });
    expect(md.length).toBeLessThanOrEqual(PR_COMMENT_LIMIT);
    expect(md).toContain('too large for one comment');
    expect(md).toContain('the full plan is in <code>plan.md</code>');
    expect(md).toContain(`| policy | ${POLICIES * PER_POLICY} | 0 | 0 |`);
    expect(md).toContain(`| ipcache | ${PREFIXES} | 0 | 0 |`);
    expect(md).toContain(`| team/policy-0 (policies/p0.yaml) | ${PER_POLICY} | 0 | 0 |`);
    expect(md).toContain(`| ${POLICIES - 20} more policies | ${(POLICIES - 20) * PER_POLICY} | 0 | 0 |`);
  });

  it('shows the first entries of each kind, named, and says how many more there are', () => {
    const md = renderMarkdown([set], { contexts });
    const shown = entryLines(md);
    expect(shown).toBeGreaterThan(0);
    // Identity 1000 is carried by 67 pods: the first three are named.
    const named =
      /\+ endpoint 7 ← \{team\/pod-0, team\/pod-1\d+, team\/pod-1\d+ \+64 more\} TCP\/\d+ allow \(team\/policy-\d+, /;
    expect(md).toMatch(named);
    expect(md).toMatch(new RegExp(`… and \\d+ more policy changes`));
    expect(md).toContain('run `gitwire plan --plan-file PATH` for the full plan');
  });

  it('renders every entry when asked for the full plan', () => {
    const md = renderMarkdown([set], { contexts, maxChars: Infinity });
    expect(md).not.toContain('too large');
    expect(entryLines(md)).toBe(POLICIES * PER_POLICY + PREFIXES * 2);
  });

  it('stays within the limit for many nodes, cutting whole lines with no block left open', () => {
    const many: ChangeSet[] = Array.from({ length: 2500 }, (_, i) => ({ ...set, node: `node-${i}` }));
    const md = renderMarkdown(many, { contexts: many.map(() => contexts[0]), planFile: 'plan.md' });
    expect(md.length).toBeLessThanOrEqual(PR_COMMENT_LIMIT);
    expect(md).toMatch(/… cut at 65536 characters; the full plan is in <code>plan\.md<\/code>\.\n$/);
    expect(md.match(/<details>/g)?.length ?? 0).toBe(md.match(/<\/details>/g)?.length ?? 0);
    expect(outsideFences(md).length).toBe(md.split('\n').length);
  });
});
