import { describe, expect, it } from 'vitest';
import { decodeMaglevTable } from '../../src/desired/compile.js';
import { encodeMaglevTable } from '../../src/desired/compile/service/maglev-encoding.js';
import type { Entry, IdentityValue, MaglevValue, PolicyValue } from '../../src/desired/desired-state.js';
import { asObserved, emptyObserved, plan } from '../../src/reconciler/plan.js';
import { renderJson, renderMarkdown, renderText } from '../../src/reconciler/render/index.js';
import { desiredWith } from '../support/desired-fixture.js';

const rule: PolicyValue = {
  endpointId: 7,
  direction: 'ingress',
  identity: 300,
  protocol: 6,
  port: 80,
  portPrefixLen: 16,
  verdict: 'allow',
  proxyPort: 0,
  ruleId: 1,
};
const ident: Entry<IdentityValue> = {
  key: '300',
  value: { id: 300, labels: ['k8s:org=empire'], scope: 'global' },
  label: 'k8s:org=empire',
};
const maglev = (table: number[]): Entry<MaglevValue> => ({
  key: '5',
  value: { revNatIndex: 5, tableSize: 251, table: encodeMaglevTable(Uint32Array.from(table)) },
});

const before = desiredWith('node-1', 'a'.repeat(40), {
  policy: [{ key: '7/ingress/300/6/80/16', value: rule, label: 'policy default/rule1' }],
  maglev: [maglev(Array.from({ length: 251 }, (_, i) => (i % 2) + 1))],
});
const after = desiredWith('node-1', 'b'.repeat(40), {
  identity: [ident],
  policy: [{ key: '7/ingress/300/6/80/16', value: { ...rule, verdict: 'deny' }, label: 'policy default/rule1' }],
  maglev: [maglev(Array.from({ length: 251 }, () => 1))],
});
const set = plan(after, asObserved(before), { from: before.inputs.commit });

describe('plan renderers', () => {
  it('renders text like terraform, grouped by resource with readable names', () => {
    const text = renderText(set);
    expect(text).toContain('gitwire plan for node node-1 (aaaaaaaaaaaa → bbbbbbbbbbbb)');
    expect(text).toContain(
      'identity:\n  + identity 300 k8s:org=empire\n      id=300 labels=[k8s:org=empire] scope=global',
    );
    expect(text).toContain(
      'policy:\n  ~ endpoint 7 ← identity 300 TCP/80 deny (policy default/rule1)\n      verdict: allow → deny',
    );
    expect(text).toContain('table: 125 of 251 slots changed (251 → 251)');
    expect(text).toContain('Plan: 1 to create, 2 to update, 0 to delete.');
  });

  it('says so when nothing changes', () => {
    expect(renderText(plan(after, asObserved(after)))).toContain('No changes.');
  });

  it('renders JSON entries with resource, key, action, before and after', () => {
    const parsed = JSON.parse(renderJson(set)) as typeof set;
    expect(parsed.summary).toEqual({ create: 1, update: 2, delete: 0 });
    expect(parsed.changes[0]).toEqual({
      resource: 'identity',
      key: '300',
      name: 'identity 300 k8s:org=empire',
      action: 'create',
      before: null,
      after: ident.value,
      label: 'k8s:org=empire',
    });
  });

  it('renders Markdown for a pull-request comment with a summary table and diff blocks', () => {
    const md = renderMarkdown([set, plan(after, asObserved(after))]);
    expect(md).toContain('| node-1 | <code>aaaaaaaaaaaa</code> | <code>bbbbbbbbbbbb</code> | 1 | 2 | 0 |');
    expect(md).toContain('<details><summary><code>policy</code> +0 ~1 -0</summary>');
    expect(md).toContain(
      '```diff\n! endpoint 7 ← identity 300 TCP/80 deny (policy default/rule1)\n!     verdict: allow → deny',
    );
    expect(md).toContain('No changes.');
  });

  it('renders a fresh node as all creates', () => {
    expect(renderText(plan(after, emptyObserved('node-1')))).toContain('Plan: 3 to create, 0 to update, 0 to delete.');
  });

  it('summarises a created Maglev table by its slot count instead of printing it', () => {
    const text = renderText(plan(after, emptyObserved('node-1')));
    expect(text).toContain('revNatIndex=5 tableSize=251 table=[251 slots]');
    expect(text).not.toContain(after.resources.maglev[0]!.value.table);
  });
});

describe('Maglev table encoding', () => {
  it('round-trips backend ids, little-endian, through base64', () => {
    const ids = Uint32Array.from([1, 0x3fff_ffff, 258, 0]);
    const table = encodeMaglevTable(ids);
    expect([...Buffer.from(table, 'base64').subarray(0, 12)]).toEqual([1, 0, 0, 0, 255, 255, 255, 63, 2, 1, 0, 0]);
    expect(decodeMaglevTable(table)).toEqual(ids);
  });
});
