export type SourceErrorCode =
  | 'E_SOURCE_UNREACHABLE'
  | 'E_SOURCE_AUTH'
  | 'E_SOURCE_NOT_A_REPOSITORY'
  | 'E_SOURCE_REF_NOT_FOUND'
  | 'E_SOURCE_FETCH'
  | 'E_SOURCE_FILE_TOO_LARGE'
  | 'E_SOURCE_SYMLINK_ESCAPE'
  | 'E_SOURCE_TIMEOUT'
  | 'E_SOURCE_CORRUPT_OBJECT'
  | 'E_SOURCE_CACHE_UNSAFE'
  | 'E_SOURCE_SIGNATURE';

// A human must change the repository (or its signature): retrying the same commit cannot help.
const STALLED = new Set(['E_SOURCE_FILE_TOO_LARGE', 'E_SOURCE_SYMLINK_ESCAPE', 'E_SOURCE_SIGNATURE']);

/**
 * Base of every error the git source throws: a stable `code` to branch on and
 * structured `data` for reports, one subclass per file as isomorphic-git does.
 */
export abstract class SourceError<D extends object = object> extends Error {
  abstract readonly code: SourceErrorCode;

  /** A file too large, a symlink out of the tree or a missing signature needs a new commit; the network and the remote may recover. */
  get errorKind(): 'stalled' | 'transient' {
    return STALLED.has(this.code) ? 'stalled' : 'transient';
  }

  constructor(
    message: string,
    readonly data: D,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
