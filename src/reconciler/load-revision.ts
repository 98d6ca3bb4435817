import type { Diagnostic } from '../desired/diagnostics.js';
import { ValidationError } from '../desired/diagnostics.js';
import {
  CompileCache,
  LoadCache,
  readRepository,
  validateTree,
  type Model,
  type RepoTree,
  type SourceOptions,
} from '../desired/index.js';

export interface LoadedRevision {
  readonly revision: string | null;
  readonly model: Model;
  readonly warnings: readonly Diagnostic[];
}

/**
 * What one process keeps between the revisions it loads (two sides of a plan,
 * successive commits in the agent): unchanged files are not read again and
 * unchanged declarations not compiled again.
 */
export interface RevisionCaches {
  readonly load: LoadCache;
  readonly compile: CompileCache;
}

export function newRevisionCaches(): RevisionCaches {
  return { load: new LoadCache(), compile: new CompileCache() };
}

/**
 * Fetch → parse → validate, the first steps of every command. A commit with
 * any error is rejected whole: the ValidationError carries every diagnostic.
 */
export async function loadRevision(
  repo: string,
  opts: SourceOptions = {},
  caches?: RevisionCaches,
): Promise<LoadedRevision> {
  return validated(await readRepository(repo, opts), caches);
}

/**
 * Revisions of one repository, each as loadRevision gives it, failing as
 * loading them one after the other would; their files are read at once, so
 * one's reading and inflating overlap the other's.
 */
export async function loadRevisions(
  repo: string,
  sources: readonly SourceOptions[],
  caches?: RevisionCaches,
): Promise<LoadedRevision[]> {
  const read = async (source: SourceOptions) => {
    const tree = await readRepository(repo, source);
    await caches?.load.prepare(tree.files);
    return tree;
  };
  const reads = await Promise.allSettled(sources.map(read));
  return reads.map((read) => {
    if (read.status === 'rejected') throw read.reason;
    return validated(read.value, caches);
  });
}

function validated(tree: RepoTree, caches: RevisionCaches | undefined): LoadedRevision {
  const result = validateTree(tree, caches ? { cache: caches.load } : {});
  if (!result.model) throw new ValidationError(result.diagnostics);
  return { revision: tree.revision, model: result.model, warnings: result.diagnostics };
}
