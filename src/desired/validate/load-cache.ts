import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics.js';
import type { ReadLimits } from '../load/index.js';
import type { RepoFile } from '../source/repo-tree.js';
import type { AssembledTree, ValidatedDocument } from './validate-documents.js';

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
 * across documents run on the whole tree, but for what the last tree had
 * found clean (see assembleModel). Pass the same cache to
 * successive validateTree calls (the agent loop, the two sides of a plan).
 * Entries unused by the last `keepTrees` trees are dropped, so the cache
 * holds about that many trees' worth of declarations. Cached declarations
 * are shared by the Models of several commits: they are read-only.
 */
export class LoadCache {
  private readonly files = new Map<string, { entry: CachedFile; tree: number }>();
  /** Digests computed ahead by prepare(), by content (a file's bytes are never written once read). */
  private readonly digests = new WeakMap<Uint8Array, string>();
  private readonly hashing = new WeakMap<Uint8Array, Promise<void>>();
  private tree = 0;
  /** @internal The last tree's declarations, as assembleModel left them for the next. */
  assembled: AssembledTree | null = null;

  constructor(readonly keepTrees = 2) {}

  /** Files held. */
  get size(): number {
    return this.files.size;
  }

  /** @internal Starts the reading of one tree. */
  beginTree(): void {
    this.tree++;
  }

  /**
   * Hashes the files' contents on libuv's threads, for validateTree calls
   * on them: the main thread then only looks the digests up (7.9 MiB of YAML
   * is ~40 ms of SHA-256 here). Optional; without it, key() hashes. A file
   * read from git needs none: its blob id already names its content.
   */
  async prepare(files: readonly RepoFile[]): Promise<void> {
    await Promise.all(files.filter((f) => f.blob === undefined).map(({ content }) => this.hash(content)));
  }

  /** One hashing per content, also when two trees sharing it are prepared at once (both sides of a plan). */
  private hash(content: Uint8Array): Promise<void> {
    let hashing = this.hashing.get(content);
    if (!hashing) {
      hashing = crypto.subtle.digest('SHA-256', content).then((digest) => {
        this.digests.set(content, Buffer.from(digest).toString('base64'));
      });
      this.hashing.set(content, hashing);
    }
    return hashing;
  }

  /** @internal */
  key(file: RepoFile, limits: ReadLimits): string {
    const hash =
      file.blob !== undefined
        ? `git:${file.blob}`
        : (this.digests.get(file.content) ?? createHash('sha256').update(file.content).digest('base64'));
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
