import { SourceError } from './source-error.js';

export interface SourceFileTooLargeData {
  readonly path: string;
  readonly size: number;
  readonly limit: number;
}

/** A file of the repository is over `maxFileBytes`; configuration files are small, so this is refused rather than read. */
export class SourceFileTooLargeError extends SourceError<SourceFileTooLargeData> {
  readonly code = 'E_SOURCE_FILE_TOO_LARGE';
  override readonly name = 'SourceFileTooLargeError';

  constructor(data: SourceFileTooLargeData) {
    super(`${data.path} is ${data.size} bytes, over the limit of ${data.limit} bytes`, data);
  }
}
