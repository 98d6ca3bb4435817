import { SourceError } from './source-error.js';

export interface SourceUnreachableData {
  readonly url: string;
  /** The system error code, e.g. `ECONNREFUSED`, `ENOTFOUND`. */
  readonly reason: string;
}

/** The host could not be reached: connection refused, DNS failure, reset or timeout. Usually transient. */
export class SourceUnreachableError extends SourceError<SourceUnreachableData> {
  readonly code = 'E_SOURCE_UNREACHABLE';
  override readonly name = 'SourceUnreachableError';

  constructor(data: SourceUnreachableData, cause?: unknown) {
    super(`cannot reach ${data.url}: ${data.reason}`, data, { cause });
  }
}
