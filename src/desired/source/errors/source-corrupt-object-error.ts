import { SourceError } from './source-error.js';

export interface SourceCorruptObjectData {
  /** The object database read, e.g. the cache's bare repository. */
  readonly gitdir: string;
  readonly oid: string;
  readonly detail: string;
}

/**
 * An object of the repository is not what its id says: its content does not
 * hash to the id (planted or damaged), or it is missing or of the wrong type.
 */
export class SourceCorruptObjectError extends SourceError<SourceCorruptObjectData> {
  readonly code = 'E_SOURCE_CORRUPT_OBJECT';
  override readonly name = 'SourceCorruptObjectError';

  constructor(data: SourceCorruptObjectData, cause?: unknown) {
    super(
      `object ${data.oid} in ${data.gitdir} refused: ${data.detail}; nothing of this commit was used (delete the cache to fetch it afresh)`,
      data,
      { cause },
    );
  }
}
