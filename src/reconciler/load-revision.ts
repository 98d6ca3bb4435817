import type { Diagnostic } from '../desired/diagnostics.js';
import { ValidationError } from '../desired/diagnostics.js';
import { readRepository, validateTree, type Model, type SourceOptions } from '../desired/index.js';

export interface LoadedRevision {
  readonly revision: string | null;
  readonly model: Model;
  readonly warnings: readonly Diagnostic[];
}

/**
 * Fetch → parse → validate, the first steps of every command. A commit with
 * any error is rejected whole: the ValidationError carries every diagnostic.
 */
export async function loadRevision(repo: string, opts: SourceOptions = {}): Promise<LoadedRevision> {
  const tree = await readRepository(repo, opts);
  const result = validateTree(tree);
  if (!result.model) throw new ValidationError(result.diagnostics);
  return { revision: tree.revision, model: result.model, warnings: result.diagnostics };
}
