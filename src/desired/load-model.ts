import { ValidationError, type Diagnostic } from './diagnostics.js';
import type { Model } from './model.js';
import type { RepoTree } from './source/repo-tree.js';
import { assembleModel, LoadCache, validateFiles } from './validate/index.js';

export { LoadCache };

export interface LoadOptions {
  /** Files larger than this are refused; default 1 MiB. */
  maxFileBytes?: number;
  /** YAML documents in the whole tree; default 100,000. */
  maxDocuments?: number;
  /**
   * Files read and checked by earlier calls, reused where path and bytes
   * match; the result is the same as without it, only faster for a commit
   * that shares most files with a recent one.
   */
  cache?: LoadCache;
}

export interface LoadResult {
  /** Null when any diagnostic is an error: a commit is accepted or rejected whole. */
  model: Model | null;
  /** Every finding of the commit, errors and warnings, in file order. */
  diagnostics: Diagnostic[];
}

const DEFAULTS = { maxFileBytes: 1024 * 1024, maxDocuments: 100_000, maxAliasCount: 100 };

/** Reads and validates every declaration of a tree; never throws on file content. */
export function validateTree(tree: RepoTree, opts: LoadOptions = {}): LoadResult {
  const { cache, ...limitOpts } = opts;
  const limits = { ...DEFAULTS, ...definedOnly(limitOpts) };
  const { documents, diagnostics } = validateFiles(tree, limits, cache);
  const model = assembleModel(documents, tree.revision, diagnostics, cache);
  return { model: diagnostics.some((d) => d.severity === 'error') ? null : model, diagnostics };
}

/** Like validateTree, but throws a ValidationError carrying every diagnostic when the commit is rejected. */
export function loadModel(tree: RepoTree, opts?: LoadOptions): Model {
  const { model, diagnostics } = validateTree(tree, opts);
  if (!model) throw new ValidationError(diagnostics);
  return model;
}

function definedOnly(opts: Omit<LoadOptions, 'cache'>): Partial<typeof DEFAULTS> {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
}
