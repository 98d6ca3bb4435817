import { describe, expect, it } from 'vitest';
import { errorsOf, load, warningsOf } from './tree-of.js';

const policy = (name: string) =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  endpointSelector: {}\n  ingress:\n  - {}\n`;

describe('reading manifests', () => {
  it('reads every document of a multi-document file with its own start line', () => {
    const res = load({ 'dir/a.yaml': `# header\n${policy('one')}---\n${policy('two')}` });
    expect(res.model?.policies.map((p) => [p.name, p.source.line])).toEqual([
      ['one', 2],
      ['two', 11],
    ]);
  });

  it('skips hidden folders, hidden files and node_modules but reads .yml anywhere', () => {
    const res = load({
      '.github/workflows/ci.yaml': 'on: push\n',
      '.pre-commit-config.yaml': 'repos: []\n',
      'node_modules/x/policy.yaml': policy('vendored'),
      'deep/er/b.yml': policy('kept'),
      'README.md': '# hi\n',
    });
    expect(res.diagnostics).toEqual([]);
    expect(res.model?.policies.map((p) => p.name)).toEqual(['kept']);
  });

  it('warns about a JSON manifest instead of skipping it silently, and ignores other JSON', () => {
    const warnings = warningsOf({
      'package.json': '{"name":"x"}',
      'p.json': '{"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy"}',
    });
    expect(warnings).toEqual([expect.stringMatching(/^warning: p\.json:1: looks like a Kubernetes manifest/)]);
  });

  it('refuses a file over the size limit', () => {
    expect(errorsOf({ 'big.yaml': `a: "${'x'.repeat(2000)}"\n` }, { maxFileBytes: 1000 })).toEqual([
      expect.stringMatching(/^big\.yaml:1: file is 2006 bytes, over the limit of 1000; refused$/),
    ]);
  });

  it('refuses a binary file with a YAML name, naming the line of the NUL byte', () => {
    const bytes = new Uint8Array([0x61, 0x3a, 0x20, 0x31, 0x0a, 0x62, 0x00, 0x0a]);
    expect(errorsOf({ 'bin.yaml': bytes })).toEqual([expect.stringMatching(/^bin\.yaml:2: .*NUL byte at offset 6/)]);
  });

  it('refuses invalid UTF-8', () => {
    const bytes = new Uint8Array([0x61, 0x3a, 0x0a, 0x62, 0x3a, 0x20, 0xc3, 0x28, 0x0a]);
    expect(errorsOf({ 'latin.yaml': bytes })).toEqual([expect.stringMatching(/^latin\.yaml:2: .*not valid UTF-8/)]);
  });

  it('refuses a billion-laughs alias bomb without expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(errorsOf({ 'bomb.yaml': levels.join('\n') + '\n' })).toEqual([
      expect.stringMatching(/^bomb\.yaml:1: YAML aliases expand past 100 nodes/),
    ]);
  });

  it('accepts a modest anchor and alias', () => {
    const doc = policy('anchored').replace('endpointSelector: {}', 'endpointSelector: &sel {matchLabels: {a: b}}');
    const res = load({ 'a.yaml': doc.replace('  - {}\n', '  - fromEndpoints: [*sel]\n') });
    expect(res.diagnostics).toEqual([]);
    expect(res.model?.policies[0]?.rules[0]?.rule.ingress?.[0]?.fromEndpoints).toEqual([{ matchLabels: { a: 'b' } }]);
  });

  it('reports a duplicate key at its line with the path of the repeated field', () => {
    const doc = policy('dup').replace('  endpointSelector: {}\n', '  endpointSelector: {}\n  endpointSelector: {}\n');
    expect(errorsOf({ 'dup.yaml': doc })).toEqual([
      'dup.yaml:7: spec.endpointSelector: duplicate key: a field may appear only once per object',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(errorsOf({ 's.yaml': 'a: 1\nb: [1, 2\nc: 3\n' })).toEqual([expect.stringMatching(/^s\.yaml:\d+: /)]);
  });

  it('refuses more documents than the limit and says where reading stopped', () => {
    const text = Array.from({ length: 6 }, (_, i) => `k: ${i}\n`).join('---\n');
    expect(errorsOf({ 'many.yaml': text }, { maxDocuments: 4 })).toEqual([
      'many.yaml:9: more than 4 YAML documents in the repository; reading stopped here',
    ]);
  });

  it('refuses absurd flow nesting before the YAML parser sees it', () => {
    expect(errorsOf({ 'deep.yaml': '['.repeat(100_000) })).toEqual([
      'deep.yaml:1: flow collections ([ ] or { }) nest deeper than 64 levels; refused',
    ]);
  });

  it('counts [ and { together as nesting, refusing at the 65th level and not before', () => {
    const deep = (n: number) =>
      `a: ${'['.repeat(n - n / 2)}${'{b: '.repeat(n / 2)}1${'}'.repeat(n / 2)}${']'.repeat(n - n / 2)}\n`;
    expect(errorsOf({ 'ok.yaml': deep(64) }).filter((e) => e.includes('nest deeper'))).toEqual([]);
    expect(errorsOf({ 'deep.yaml': deep(66) })).toEqual([
      'deep.yaml:1: flow collections ([ ] or { }) nest deeper than 64 levels; refused',
    ]);
  });

  it('does not count brackets inside quoted strings or comments as nesting', () => {
    const text = `a: "${'['.repeat(100)}"\nb: '${'{'.repeat(100)}'\n# ${'['.repeat(100)}\n`;
    expect(errorsOf({ 'q.yaml': text })).toEqual([]);
  });

  it('reports every broken file of a commit at once', () => {
    const errors = errorsOf({
      'a.yaml': 'a: 1\na: 2\n',
      'b.yaml': new Uint8Array([0]),
      'c.yaml': policy('ok'),
    });
    expect(errors.map((e) => e.split(':')[0])).toEqual(['a.yaml', 'b.yaml']);
  });
});
