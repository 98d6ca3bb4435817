import { SourceError } from './source-error.js';

export interface SourceAuthData {
  readonly url: string;
  readonly statusCode: number;
  /** Which credentials were offered, so the message can say what to fix. */
  readonly credentials: 'none' | 'token' | 'basic';
}

/** The server refused the request with 401 or 403. */
export class SourceAuthError extends SourceError<SourceAuthData> {
  readonly code = 'E_SOURCE_AUTH';
  override readonly name = 'SourceAuthError';

  constructor(data: SourceAuthData, cause?: unknown) {
    const offered = data.credentials === 'none' ? 'no credentials were given' : `the ${data.credentials} was rejected`;
    super(`authentication failed for ${data.url} (HTTP ${data.statusCode}): ${offered}`, data, { cause });
  }
}
