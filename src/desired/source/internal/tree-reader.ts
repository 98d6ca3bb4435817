/** What a tree entry is; links are resolved by the walker, never by a reader. */
export type TreeEntryKind = 'file' | 'dir' | 'link' | 'submodule' | 'other';

/**
 * One way of reading a tree (a git commit, or a directory on disk). Paths are
 * relative to the root with `/`, `''` is the root, and never pass through a link.
 */
export interface TreeReader {
  list(dir: string): Promise<ReadonlyMap<string, TreeEntryKind>>;
  /** Throws SourceFileTooLargeError when the file is over `maxBytes`. */
  readFile(path: string, maxBytes: number): Promise<Uint8Array>;
  /** The id of the content readFile gives, where the reader has one (a git blob id). */
  blobId?(path: string): Promise<string>;
  readLink(path: string): Promise<string>;
}
