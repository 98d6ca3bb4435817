import { SourceError } from './source-error.js';

export interface SourceRefNotFoundData {
  readonly repo: string;
  readonly ref: string;
  readonly reason: 'unknown' | 'ambiguous' | 'not-a-commit' | 'not-advertised' | 'empty-repository' | 'needs-history';
  /** Candidates when the short SHA or name is ambiguous. */
  readonly matches?: readonly string[];
}

const explain: Record<SourceRefNotFoundData['reason'], string> = {
  unknown: 'no branch, tag or commit has that name',
  ambiguous: 'it matches more than one object',
  'not-a-commit': 'it does not name a commit',
  'not-advertised':
    'no branch or tag points at it and the server did not send it (a full SHA must be reachable from a ref, or the server must allow any SHA; a short SHA matches only a tip or a commit already in the cache)',
  'empty-repository': 'the repository has no commits',
  'needs-history':
    'ancestry (~N, ^N) is resolved only in a local repository, because remote revisions are fetched shallowly; name the commit by SHA, tag or branch',
};

/** The revision asked for does not resolve to a commit. */
export class SourceRefNotFoundError extends SourceError<SourceRefNotFoundData> {
  readonly code = 'E_SOURCE_REF_NOT_FOUND';
  override readonly name = 'SourceRefNotFoundError';

  constructor(data: SourceRefNotFoundData, cause?: unknown) {
    const matches = data.matches?.length ? ` (${data.matches.join(', ')})` : '';
    super(`revision '${data.ref}' not found in ${data.repo}: ${explain[data.reason]}${matches}`, data, { cause });
  }
}
