/** One regular file of a configuration repository, path relative to its root with `/` separators. */
export interface RepoFile {
  readonly path: string;
  readonly content: Uint8Array;
  /**
   * Read from git: the blob's id, which its content was checked to hash to,
   * so it names the content as well as a digest of it would.
   */
  readonly blob?: string;
}

/** The files of a repository at one revision (or of a plain directory, with revision null). */
export interface RepoTree {
  /** Full commit SHA, or null for a plain directory read as it is on disk. */
  readonly revision: string | null;
  /** What the caller asked for (branch, tag, SHA or directory path), for messages. */
  readonly ref: string;
  readonly files: readonly RepoFile[];
  /** What was deliberately left out (submodules, dangling or looping links), so a report can say so. */
  readonly notes?: readonly RepoNote[];
}

/** Something in the tree that was skipped on purpose, with a stable code (`W_SOURCE_*`). */
export interface RepoNote {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}
