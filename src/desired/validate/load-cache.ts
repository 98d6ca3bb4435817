import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics.js';
import type { ReadLimits } from '../load/index.js';
import type { RepoFile } from '../source/repo-tree.js';
import type { ValidatedDocument } from './validate-documents.js';

/** One file read and checked on its own: everything that depends on its bytes alone. */
export interface CachedFile {
  readonly readDiagnostics: readonly Diagnostic[];
  readonly documentDiagnostics: readonly Diagnostic[];
  readonly documents: readonly ValidatedDocument[];
  readonly documentCount: number;
}

/**
 * Read and validated files by path and content hash, so that loading a
 * commit after a similar one parses only the files that changed; the checks
 * across documents still run on the whole tree. Pass the same cache to
 * successive validateTree calls (the agent loop, the two sides of a plan).
 * Entries unused by the last `keepTrees` trees are dropped, so the cache
 * holds about that many trees' worth of declarations. Cached declarations
 * are shared by the Models of several commits: they are read-only.
 */
export class LoadCache {
  private readonly files = new Map<string, { entry: CachedFile; tree: number }>();
  private tree = 0;

  constructor(readonly keepTrees = 2) {}

  /** Files held. */
  get size(): number {
    return this.files.size;
  }

  /** @internal Starts the reading of one tree. */
  beginTree(): void {
    this.tree++;
  }

  /** @internal */
  key(file: RepoFile, limits: ReadLimits): string {
    const hash = createHash('sha256').update(file.content).digest('base64');
    return `${limits.maxFileBytes}:${limits.maxAliasCount}:${file.path}:${hash}`;
  }

  /** @internal */
  get(key: string): CachedFile | undefined {
    const found = this.files.get(key);
    if (found) found.tree = this.tree;
    return found?.entry;
  }

  /** @internal */
  set(key: string, entry: CachedFile): void {
    this.files.set(key, { entry, tree: this.tree });
  }

  /** @internal Ends the reading of one tree: forgets files no recent tree had. */
  endTree(): void {
    for (const [key, { tree }] of this.files) if (tree <= this.tree - this.keepTrees) this.files.delete(key);
  }
}
