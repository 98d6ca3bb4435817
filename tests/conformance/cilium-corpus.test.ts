import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/desired/diagnostics.js';
import { validateTree } from '../../src/desired/load-model.js';
import type { RepoFile } from '../../src/desired/source/repo-tree.js';

// Cilium's own examples and CRDs sit beside the repository, in ../shared.
const corpus = fileURLToPath(new URL('../../../shared/conformance/cilium/', import.meta.url));
const present = existsSync(join(corpus, 'examples'));

/** The files Cilium's CRD rejects, with the reason each must be refused for. */
const REJECTED: Record<string, { path: string; reason: RegExp }> = {
  'examples/policies/l3/requires/requires.yaml': { path: 'specs[0].ingress[0].fromRequires', reason: /maxItems: 0/ },
  'examples/policies/auth/auth.yaml': { path: 'spec.egress[0].auth', reason: /authentication: \{mode/ },
};

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
}

function corpusFiles(): RepoFile[] {
  return walk(join(corpus, 'examples'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ path: relative(corpus, f), content: readFileSync(f) }));
}

const title = present ? 'Cilium conformance corpus' : `Cilium conformance corpus (skipped: ${corpus} is missing)`;

describe.skipIf(!present)(title, () => {
  const files = present ? corpusFiles() : [];
  const results = files.map((file) => ({ file, res: validateTree({ revision: null, ref: 'corpus', files: [file] }) }));

  it('finds all 59 example manifests', () => {
    expect(files).toHaveLength(59);
  });

  it.each(Object.entries(REJECTED))('rejects %s with the reason from the CRD', (path, { path: field, reason }) => {
    const found = results.find((r) => r.file.path === path);
    expect(found?.res.model).toBeNull();
    const errors = found?.res.diagnostics.filter((d) => d.severity === 'error') ?? [];
    expect(errors.map((d) => d.path)).toEqual([field]);
    expect(errors[0]?.message).toMatch(reason);
  });

  it('loads every other example, and counts all 56 policy files', () => {
    const failed = results.filter((r) => !r.res.model && !(r.file.path in REJECTED));
    expect(failed.flatMap((r) => r.res.diagnostics.map(formatDiagnostic))).toEqual([]);
    const loaded = results.filter((r) => (r.res.model?.policies.length ?? 0) > 0);
    expect(loaded).toHaveLength(54);
    expect(loaded.length + Object.keys(REJECTED).length).toBe(56);
    expect(loaded.reduce((n, r) => n + (r.res.model?.policies.length ?? 0), 0)).toBe(55);
  });

  it('ignores the 17 workload documents with a warning naming each kind', () => {
    const ignored = results.flatMap((r) => r.res.diagnostics.filter((d) => d.code === 'W_IGNORED_KIND'));
    const kinds = ignored.map((d) => /^ignored (\w+)/.exec(d.message)?.[1]).sort();
    expect(kinds).toEqual([
      ...Array(3).fill('Deployment'),
      ...Array(2).fill('Namespace'),
      ...Array(6).fill('Pod'),
      ...Array(3).fill('Service'),
      ...Array(3).fill('ServiceAccount'),
    ]);
  });

  it('reports every error of the whole corpus at once when loaded as one commit', () => {
    const res = validateTree({ revision: null, ref: 'corpus', files });
    expect(res.model).toBeNull();
    const codes = new Set(res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code));
    // Several examples reuse a name (rule1, l3-rule...) in the default namespace.
    expect([...codes].sort()).toEqual(['E_DUPLICATE_NAME', 'E_POLICY_REQUIRES', 'E_UNKNOWN_FIELD']);
  });
});
