import { describe, expect, it, vi } from 'vitest';
import { formatDiagnostic } from '../../../src/desired/diagnostics.js';
import { LoadCache, validateTree } from '../../../src/desired/load-model.js';
import { readRepository } from '../../../src/desired/source/index.js';
import { git, makeRepo, makeTempDir, removeDir } from '../../support/git-fixtures.js';
import { cnp, treeOf } from './tree-of.js';

const cluster =
  'apiVersion: gitwire.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: c\nspec:\n  clusterCIDR: 10.0.0.0/8\n';
const node = (name: string, n: number) =>
  `apiVersion: gitwire.io/v1alpha1\nkind: Node\nmetadata:\n  # node ${n}\n  name: ${name}\nspec:\n  address: 192.168.0.${n}\n  podCIDR: 10.${n}.0.0/24\n`;
const policy = (name: string, port: number) =>
  cnp(
    `  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "${port}"\n        protocol: TCP\n`,
    name,
  );

const files = (port: number) => ({
  'cluster.yaml': cluster,
  'nodes/a.yaml': `${node('a', 1)}---\n${node('b', 2)}`,
  'policies/p.yaml': `${policy('p1', port)}---\n${policy('p2', 443)}`,
  'policies/q.yaml': policy('q', 53)
    .replace('  name: q\n', '  name: q\n  description: x\n')
    .replace('kind: C', 'description: top\nkind: C'),
});

describe('loading with a cache of read files', () => {
  it('gives the same model and findings as a load without a cache, first and second time', () => {
    const cache = new LoadCache();
    const plain = validateTree(treeOf(files(80)));
    expect(plain.model).not.toBeNull();
    expect(plain.diagnostics.length).toBeGreaterThan(0);
    expect(validateTree(treeOf(files(80)), { cache })).toEqual(plain);
    expect(validateTree(treeOf(files(80)), { cache })).toEqual(plain);
  });

  it('reuses the declarations of unchanged files and reads the changed file anew', () => {
    const cache = new LoadCache();
    const first = validateTree(treeOf(files(80)), { cache }).model!;
    const second = validateTree(treeOf(files(8080)), { cache }).model!;
    expect(second.nodes[0]).toBe(first.nodes[0]);
    expect(second.policies.find((p) => p.name === 'q')).toBe(first.policies.find((p) => p.name === 'q'));
    const p1 = second.policies.find((p) => p.name === 'p1')!;
    expect(p1).not.toBe(first.policies.find((p) => p.name === 'p1'));
    expect(p1.rules[0]!.rule.ingress?.[0]?.toPorts?.[0]?.ports?.[0]?.port).toBe('8080');
    expect(second).toEqual(validateTree(treeOf(files(8080))).model);
  });

  it('finds a file hashed ahead by prepare() under the key a plain load gives it', async () => {
    const cache = new LoadCache();
    const first = validateTree(treeOf(files(80)), { cache }).model!;
    const tree = treeOf(files(8080));
    await cache.prepare(tree.files);
    const second = validateTree(tree, { cache });
    expect(second.model!.nodes[0]).toBe(first.nodes[0]);
    expect(second).toEqual(validateTree(treeOf(files(8080))));
  });

  it('hashes a content once when two trees sharing it are prepared at once, as both sides of a plan are', async () => {
    const from = treeOf(files(80));
    // Unchanged files come from the same git blob: the same bytes object in both trees.
    const to = {
      ...from,
      files: from.files.map((f) => (f.path === 'policies/p.yaml' ? treeOf(files(8080)).files[2]! : f)),
    };
    const digest = vi.spyOn(crypto.subtle, 'digest');
    try {
      const cache = new LoadCache();
      await Promise.all([cache.prepare(from.files), cache.prepare(to.files)]);
      expect(digest).toHaveBeenCalledTimes(from.files.length + 1);
      expect(validateTree(to, { cache })).toEqual(validateTree(to));
    } finally {
      digest.mockRestore();
    }
  });

  it('keys a file read from git by its blob id: nothing hashed again, unchanged files reused', async () => {
    const dir = makeTempDir();
    try {
      const [from, to] = makeRepo(dir, [files(80), { 'policies/p.yaml': files(8080)['policies/p.yaml'] }]);
      const trees = await Promise.all([readRepository(dir, { rev: from }), readRepository(dir, { rev: to })]);
      for (const f of trees[1].files) expect(f.blob).toBe(git(dir, 'rev-parse', `${to}:${f.path}`));
      const digest = vi.spyOn(crypto.subtle, 'digest');
      try {
        const cache = new LoadCache();
        for (const tree of trees) await cache.prepare(tree.files);
        const first = validateTree(trees[0], { cache }).model!;
        const second = validateTree(trees[1], { cache });
        expect(digest).not.toHaveBeenCalled();
        expect(second.model!.policies.find((p) => p.name === 'q')).toBe(first.policies.find((p) => p.name === 'q'));
        expect(second).toEqual(validateTree(trees[1]));
        expect(
          second.model!.policies.find((p) => p.name === 'p1')!.rules[0]!.rule.ingress?.[0]?.toPorts?.[0]?.ports?.[0]
            ?.port,
        ).toBe('8080');
      } finally {
        digest.mockRestore();
      }
    } finally {
      removeDir(dir);
    }
  });

  it('reuses the sorted lists and the checks across documents when only policies changed, findings included', () => {
    const cache = new LoadCache();
    const first = validateTree(treeOf(files(80)), { cache }).model!;
    const second = validateTree(treeOf(files(8080)), { cache });
    expect(second.model!.nodes).toBe(first.nodes);
    expect(second).toEqual(validateTree(treeOf(files(8080))));
    // A finding across documents (host bits in a podCIDR) is reported again, not taken for a clean verdict.
    const hostBits = (port: number) => ({ ...files(port), 'nodes/c.yaml': node('c', 3).replace('.0/24', '.7/24') });
    const warned = validateTree(treeOf(hostBits(80)), { cache });
    expect(warned.diagnostics.map((d) => d.code)).toContain('W_HOST_BITS');
    expect(validateTree(treeOf(hostBits(8080)), { cache })).toEqual(validateTree(treeOf(hostBits(8080))));
  });

  it('still finds a policy name declared twice when only policies changed', () => {
    const cache = new LoadCache();
    expect(validateTree(treeOf(files(80)), { cache }).model).not.toBeNull();
    const twice = { ...files(80), 'policies/q.yaml': policy('p2', 53) };
    const cached = validateTree(treeOf(twice), { cache });
    expect(cached.diagnostics.map((d) => d.code)).toContain('E_DUPLICATE_NAME');
    expect(cached).toEqual(validateTree(treeOf(twice)));
  });

  it('points a finding across documents at the right line of a file that came from the cache', () => {
    const cache = new LoadCache();
    const base = { 'cluster.yaml': cluster, 'x.yaml': node('one', 1), 'y.yaml': node('two', 2) };
    expect(validateTree(treeOf(base), { cache }).model).not.toBeNull();
    // x.yaml now declares "two" as well; y.yaml, unchanged and cached, holds the second declaration.
    const clash = { ...base, 'x.yaml': node('two', 3) };
    const errors = (r: ReturnType<typeof validateTree>) =>
      r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    const cached = errors(validateTree(treeOf(clash), { cache }));
    expect(cached).toEqual(['y.yaml:5: metadata.name: Node two is already declared at x.yaml:1']);
    expect(cached).toEqual(errors(validateTree(treeOf(clash))));
  });

  it('keeps a file with a different path or different bytes apart', () => {
    const cache = new LoadCache();
    validateTree(treeOf({ 'a.yaml': policy('p', 80) }), { cache });
    const moved = validateTree(treeOf({ 'b.yaml': policy('p', 80) }), { cache });
    expect(moved.model?.policies[0]?.source.file).toBe('b.yaml');
  });

  it('still refuses more documents than the limit when the files are cached', () => {
    const cache = new LoadCache();
    const tree = treeOf({ 'a.yaml': `${policy('p1', 1)}---\n${policy('p2', 2)}`, 'b.yaml': policy('p3', 3) });
    expect(validateTree(tree, { cache }).model).not.toBeNull();
    const limited = validateTree(tree, { cache, maxDocuments: 2 });
    expect(limited.model).toBeNull();
    expect(limited.diagnostics.map(formatDiagnostic)).toEqual(
      validateTree(tree, { maxDocuments: 2 }).diagnostics.map(formatDiagnostic),
    );
    expect(limited.diagnostics.map((d) => d.code)).toEqual(['E_TOO_MANY_DOCUMENTS']);
  });

  it('forgets files that the last trees did not have', () => {
    const cache = new LoadCache(2);
    validateTree(treeOf({ 'a.yaml': policy('p', 1) }), { cache });
    validateTree(treeOf({ 'a.yaml': policy('p', 2) }), { cache });
    expect(cache.size).toBe(2);
    validateTree(treeOf({ 'a.yaml': policy('p', 3) }), { cache });
    expect(cache.size).toBe(2);
    validateTree(treeOf({ 'a.yaml': policy('p', 3) }), { cache });
    expect(cache.size).toBe(1);
  });
});
