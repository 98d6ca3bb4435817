import { SourceError } from './source-error.js';

export interface SourceCacheUnsafeData {
  readonly path: string;
  readonly reason: 'not-a-directory' | 'owner' | 'mode';
  /** Owner uid and permission bits found, for the message. */
  readonly uid?: number;
  readonly mode?: number;
}

/**
 * The git cache is not private to this user: another user could plant objects
 * in it. Refused rather than trusted; gitwire creates its caches 0700.
 */
export class SourceCacheUnsafeError extends SourceError<SourceCacheUnsafeData> {
  readonly code = 'E_SOURCE_CACHE_UNSAFE';
  override readonly name = 'SourceCacheUnsafeError';

  constructor(data: SourceCacheUnsafeData) {
    const found =
      data.reason === 'not-a-directory'
        ? 'it is not a directory (a link or a file)'
        : data.reason === 'owner'
          ? `it belongs to uid ${data.uid}, not to uid ${process.getuid?.() ?? '?'} that runs gitwire`
          : `its mode is ${(data.mode ?? 0).toString(8).padStart(4, '0')}: others can write or read it`;
    super(
      `git cache ${data.path} refused: ${found}; remove it or make it a 0700 directory of this user (gitwire creates it so)`,
      data,
    );
  }
}
