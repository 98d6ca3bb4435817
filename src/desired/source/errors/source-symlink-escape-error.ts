import { SourceError } from './source-error.js';

export interface SourceSymlinkEscapeData {
  /** The link, relative to the repository root. */
  readonly path: string;
  /** What the link points at, as stored. */
  readonly target: string;
}

/** A symbolic link points outside the repository (absolute, or `..` past the root); following it would read the host. */
export class SourceSymlinkEscapeError extends SourceError<SourceSymlinkEscapeData> {
  readonly code = 'E_SOURCE_SYMLINK_ESCAPE';
  override readonly name = 'SourceSymlinkEscapeError';

  constructor(data: SourceSymlinkEscapeData) {
    super(`symbolic link ${data.path} -> ${data.target} points outside the repository`, data);
  }
}
