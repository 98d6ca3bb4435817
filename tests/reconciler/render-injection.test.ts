import { describe, expect, it } from 'vitest';
import type { DatapathEvent } from '../../src/datapath/maps/index.js';
import type {
  DesiredState,
  EndpointValue,
  Entry,
  IdentityValue,
  PolicyValue,
  RuleRef,
} from '../../src/desired/desired-state.js';
import {
  eventJson,
  eventText,
  initialStatus,
  markFailed,
  renderStatusJson,
  renderStatusText,
} from '../../src/reconciler/agent/index.js';
import { emptyObserved, plan } from '../../src/reconciler/plan.js';
import { renderContext, renderJson, renderMarkdown, renderText } from '../../src/reconciler/render/index.js';
import { desiredWith } from '../support/desired-fixture.js';
import { outsideFences } from '../support/markdown-blocks.js';

// What a pull request can put into a report: a label key that closes the diff
// block and forges a heading, an image and HTML; a name that clears the terminal.
const FORGED = '\n```\n# Approved by security\n![x](http://attacker.example/pixel.png)\n<img src=x>\n```\n';
const EVIL_KEY = `k8s:team${FORGED}`;
const CLEAR = 'tie\u001b[2J\u001b]0;pwned\u0007fighter';
const ESC_OR_CONTROL = /(?!\n)\p{Cc}/u;

const rule: RuleRef = {
  id: 9,
  kind: 'CiliumNetworkPolicy',
  namespace: 'default',
  name: 'rule1',
  path: 'spec.ingress[0]',
  file: 'policies/a|b![x](http://attacker.example/p.png).yaml',
  line: 15,
};
const endpoint = (id: number, name: string, identity: number): Entry<EndpointValue> => ({
  key: `default/${name}`,
  label: `default/${name}`,
  value: {
    ...{ id, name, namespace: 'default', address: '10.0.1.10', mac: '02:00:00:00:00:01', ifName: 'lxc1' },
    ...{ gateway: '10.0.1.1', netns: 'gw-ns', identity, enforceIngress: true, enforceEgress: false, audit: false },
  },
});
const identity: Entry<IdentityValue> = {
  key: '300',
  label: `${EVIL_KEY}=1`,
  value: { id: 300, labels: [`${EVIL_KEY}=1`], scope: 'global' },
};
const policy: Entry<PolicyValue> = {
  key: '7/ingress/300/6/80/16',
  label: 'policy default/rule1',
  value: {
    ...{ endpointId: 7, direction: 'ingress', identity: 300, protocol: 6, port: 80, portPrefixLen: 16 },
    ...{ verdict: 'allow', proxyPort: 0, ruleId: 9 },
  },
};

const drop: DatapathEvent = {
  ...{ timestampNs: 1n, type: 'drop', reason: 'denied-policy', direction: 'ingress', endpointId: 7, ifindex: 2 },
  ...{ srcIdentity: 300, dstIdentity: 400, saddr: '10.0.1.30', daddr: '10.0.1.10', sport: 1, dport: 80 },
  ...{ protocol: 6, verdict: 'deny', ruleId: 9, length: 60 },
};

function hostile(node = 'node-1'): DesiredState {
  const state = desiredWith(node, 'b'.repeat(40), {
    identity: [identity],
    endpoint: [endpoint(7, CLEAR, 400)],
    policy: [policy],
  });
  return { ...state, rules: [rule] };
}

describe('a Markdown report of a hostile repository', () => {
  it('keeps a label key holding a code fence inside its diff block: no forged heading, image or HTML', () => {
    const state = hostile();
    const md = renderMarkdown([plan(state, emptyObserved('node-1'))], { contexts: [renderContext([state])] });
    const outside = outsideFences(md);
    expect(outside.filter((l) => l.startsWith('#'))).toEqual(['## gitwire plan', '### node-1']);
    expect(outside.join('\n')).not.toMatch(/!\[|<img|attacker\.example|Approved/);
    expect(md).toContain('k8s:team\\n```\\n# Approved by security\\n![x](http://attacker.example/pixel.png)');
  });

  it('escapes names in headings and table cells, and the policy counts of a summarized report', () => {
    const node = 'node-1 | forged | cell ![x](http://attacker.example/n.png) <b>';
    const state = hostile(node);
    const opts = { contexts: [renderContext([state])], maxChars: 900, planFile: 'plan`x`.md' };
    const md = renderMarkdown([plan(state, emptyObserved(node))], opts);
    const outside = outsideFences(md);
    expect(outside.join('\n')).not.toMatch(/!\[|<b>|https?:|`x`/);
    expect(md).toContain('too large for one comment');
    const row = outside.find((l) => l.includes('forged'))!;
    expect(row.split('|')).toHaveLength(8);
    const policyRow = outside.find((l) => l.includes('default/rule1'))!;
    expect(policyRow.split('|')).toHaveLength(6);
  });
});

describe('a text report of a hostile repository', () => {
  it('shows escape sequences in names as text instead of sending them to the terminal', () => {
    const state = hostile();
    const text = renderText(plan(state, emptyObserved('node-1')), renderContext([state]));
    expect(text).not.toMatch(ESC_OR_CONTROL);
    expect(text).toContain('default/tie\\x1b[2J\\x1b]0;pwned\\x07fighter');
    expect(text.split('\n').some((l) => l.startsWith('# Approved'))).toBe(false);
  });

  it('shows escape sequences in a monitor event line as text', () => {
    const line = eventText({ event: drop, rule: { ...rule, name: CLEAR }, time: new Date(0) });
    expect(line).not.toMatch(ESC_OR_CONTROL);
    expect(line).toContain('policy default/tie\\x1b[2J');
  });

  it('escapes in JSON what JSON leaves raw but a terminal reads (C1 CSI, bidi overrides), with the same value', () => {
    const name = 'tie\u009b2J\u202efighter';
    const state = { ...hostile(), rules: [{ ...rule, name }] };
    const json = renderJson(plan(state, emptyObserved('node-1')), [renderContext([state])]);
    expect(json).not.toMatch(/[\u007f-\u009f\u202e]/);
    expect(JSON.stringify(JSON.parse(json))).toContain(`default/${name}`);
    const event = eventJson({ event: { ...drop, ruleId: 9 }, rule: { ...rule, name }, time: new Date(0) });
    expect(event).not.toMatch(/[\u007f-\u009f\u202e]/);
    expect((JSON.parse(event) as { policy: { name: string } }).policy.name).toBe(name);
  });

  it('shows escape sequences in status output as text, a multi-line message still on its own lines', () => {
    const s0 = initialStatus(CLEAR, 'https://git/cfg.git', 'main', new Date(0));
    const error = { code: 'E_VALIDATION', message: `bad label ${CLEAR}\nsecond line \u009b31m` };
    const s = markFailed(s0, { error, step: 'load', kind: 'stalled', revision: null }, new Date(0));
    const text = renderStatusText([s]);
    expect(text).not.toMatch(ESC_OR_CONTROL);
    expect(text).toContain('Node tie\\x1b[2J');
    expect(text).toContain('    second line \\x9b31m\n');
    const json = renderStatusJson(s);
    expect(json).not.toMatch(/[\u007f-\u009f]/);
    expect(JSON.parse(json)).toEqual(s);
  });
});
