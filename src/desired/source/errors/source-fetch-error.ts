import { SourceError } from './source-error.js';

export interface SourceFetchData {
  readonly url: string;
  readonly statusCode?: number;
  readonly detail: string;
}

/** The server answered, but the fetch failed for another reason (a 5xx, a broken pack, a protocol error). */
export class SourceFetchError extends SourceError<SourceFetchData> {
  readonly code = 'E_SOURCE_FETCH';
  override readonly name = 'SourceFetchError';

  constructor(data: SourceFetchData, cause?: unknown) {
    const status = data.statusCode === undefined ? '' : ` (HTTP ${data.statusCode})`;
    super(`fetching ${data.url} failed${status}: ${data.detail}`, data, { cause });
  }
}
