import { SourceError } from './source-error.js';

export interface SourceNotARepositoryData {
  readonly repo: string;
  readonly reason: 'missing' | 'http-status' | 'not-smart-http' | 'unsupported-transport' | 'no-history';
  readonly statusCode?: number;
}

const explain: Record<SourceNotARepositoryData['reason'], string> = {
  missing: 'no such file or directory',
  'http-status': 'the server has no git repository there',
  'not-smart-http': 'the server did not answer with the git smart HTTP protocol',
  'unsupported-transport': 'only http(s) URLs and local paths are supported',
  'no-history': 'a plain directory has no revisions to select',
};

/** The location exists (or was tried) but holds no git repository gitwire can read. */
export class SourceNotARepositoryError extends SourceError<SourceNotARepositoryData> {
  readonly code = 'E_SOURCE_NOT_A_REPOSITORY';
  override readonly name = 'SourceNotARepositoryError';

  constructor(data: SourceNotARepositoryData, cause?: unknown) {
    const status = data.statusCode === undefined ? '' : ` (HTTP ${data.statusCode})`;
    super(`${data.repo} is not a readable git repository: ${explain[data.reason]}${status}`, data, { cause });
  }
}
