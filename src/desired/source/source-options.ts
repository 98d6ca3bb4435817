import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Credentials for an HTTP(S) remote: a bearer token, or a username and password for basic auth. */
export interface SourceAuth {
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface SourceOptions {
  /** Branch, tag, full or short SHA, `refs/...` or `HEAD`; default: the repository's HEAD. */
  readonly rev?: string;
  readonly auth?: SourceAuth;
  /** Where HTTP clones are kept between runs; default `$XDG_CACHE_HOME/gitwire` or under the temp dir. */
  readonly cacheDir?: string;
  /** Largest file read, in bytes; default 1 MiB. Larger files are refused. */
  readonly maxFileBytes?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return xdg ? join(xdg, 'gitwire') : join(tmpdir(), 'gitwire-cache');
}
