import git from 'isomorphic-git';
import { SourceAuthError } from '../errors/source-auth-error.js';
import { SourceError } from '../errors/source-error.js';
import { SourceFetchError } from '../errors/source-fetch-error.js';
import { SourceFileTooLargeError } from '../errors/source-file-too-large-error.js';
import { SourceNotARepositoryError } from '../errors/source-not-a-repository-error.js';
import { SourceTimeoutError } from '../errors/source-timeout-error.js';
import { SourceUnreachableError } from '../errors/source-unreachable-error.js';
import type { RemoteConnection } from './remote-connection.js';
import { TransferStopped } from './timed-http.js';

// Socket-level failures: nothing answered, so the remote is unreachable rather than wrong.
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

/** Turns what isomorphic-git or the socket threw into one of the source's errors. */
export function mapTransportError(err: unknown, conn: RemoteConnection): SourceError {
  if (err instanceof SourceError) return err;
  const url = redact(conn.url);
  const stopped = stoppedBy(err) ?? conn.http.stopped();
  if (stopped?.limit === 'size') {
    return new SourceFetchError(
      { url, detail: `the server sent more than ${stopped.value} bytes (maxFetchBytes)` },
      err,
    );
  }
  if (stopped?.limit === 'object') {
    return new SourceFileTooLargeError({
      path: `an object fetched from ${url}`,
      size: stopped.found,
      limit: stopped.value,
    });
  }
  if (stopped) return new SourceTimeoutError({ url, limit: stopped.limit, ms: stopped.value }, err);
  if (err instanceof git.Errors.HttpError) {
    const statusCode = err.data.statusCode;
    if (statusCode === 401 || statusCode === 403) {
      return new SourceAuthError({ url, statusCode, credentials: conn.credentials }, err);
    }
    if (statusCode === 404) return new SourceNotARepositoryError({ repo: url, reason: 'http-status', statusCode }, err);
    return new SourceFetchError({ url, statusCode, detail: err.data.statusMessage }, err);
  }
  if (err instanceof git.Errors.SmartHttpError || err instanceof git.Errors.EmptyServerResponseError) {
    return new SourceNotARepositoryError({ repo: url, reason: 'not-smart-http' }, err);
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNREACHABLE.has(code)) return new SourceUnreachableError({ url, reason: code }, err);
  return new SourceFetchError({ url, detail: err instanceof Error ? err.message : String(err) }, err);
}

/** The TransferStopped behind `err`, also when isomorphic-git wrapped it as a cause. */
function stoppedBy(err: unknown): TransferStopped | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof TransferStopped) return e;
  }
  return undefined;
}

/** The URL without any `user:password@`, safe for messages and cache keys. */
export function redact(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/+$/, '');
}
