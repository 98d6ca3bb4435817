import { formatDiagnostic } from '../../../src/desired/diagnostics.js';
import { validateTree, type LoadOptions, type LoadResult } from '../../../src/desired/load-model.js';
import type { RepoTree } from '../../../src/desired/source/repo-tree.js';

const enc = new TextEncoder();

/** A RepoTree from path → text (or raw bytes), in the order given. */
export function treeOf(files: Record<string, string | Uint8Array>, revision: string | null = null): RepoTree {
  return {
    revision,
    ref: revision ?? 'test',
    files: Object.entries(files).map(([path, c]) => ({ path, content: typeof c === 'string' ? enc.encode(c) : c })),
  };
}

export function load(files: Record<string, string | Uint8Array>, opts?: LoadOptions): LoadResult {
  return validateTree(treeOf(files), opts);
}

/** Formatted errors of a tree, e.g. `p.yaml:14: spec.ingress[0]...: message`. */
export function errorsOf(files: Record<string, string | Uint8Array>, opts?: LoadOptions): string[] {
  return load(files, opts)
    .diagnostics.filter((d) => d.severity === 'error')
    .map(formatDiagnostic);
}

export function warningsOf(files: Record<string, string | Uint8Array>): string[] {
  return load(files)
    .diagnostics.filter((d) => d.severity === 'warning')
    .map(formatDiagnostic);
}

/** A CiliumNetworkPolicy whose spec body starts on line 6 (indent it by two spaces). */
export function cnp(specBody: string, name = 'p'): string {
  return `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${specBody}`;
}
