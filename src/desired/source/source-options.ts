import { homedir } from 'node:os';
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
  /**
   * Where HTTP clones are kept between runs; default /var/cache/gitwire for
   * root, else `$XDG_CACHE_HOME/gitwire` or ~/.cache/gitwire. It must be a 0700
   * directory of the user running gitwire (created so when missing); anything else is refused.
   */
  readonly cacheDir?: string;
  /** Largest file read, in bytes; default 1 MiB. Larger files are refused. */
  readonly maxFileBytes?: number;
  /** Limits on talking to an HTTP remote; each defaults to DEFAULT_TIMEOUTS. */
  readonly timeouts?: Partial<SourceTimeouts>;
  /** Largest amount fetched from the remote in one operation, in bytes; default 256 MiB. */
  readonly maxFetchBytes?: number;
  /**
   * Largest object (any file of the commit, declaration or not) a fetch may
   * bring, in bytes; default 64 MiB. Checked from the pack's headers, before inflating.
   */
  readonly maxObjectBytes?: number;
  /** Compile only commits signed by a trusted key (Flux's spec.verify); off when absent. */
  readonly verify?: SignatureVerification;
  /** Ends a fetch in flight (the agent's SIGTERM): the operation fails with E_SOURCE_TIMEOUT, reason aborted. */
  readonly signal?: AbortSignal;
}

export interface SignatureVerification {
  /** `ssh`: sshsig signatures (`gpg.format=ssh`); `openpgp`: OpenPGP signatures (gpg). */
  readonly mode: 'ssh' | 'openpgp';
  /**
   * File of trusted keys: for ssh, public keys one a line (`ssh-ed25519 AAAA… comment`,
   * as in authorized_keys); for openpgp, exported public keys (armored or binary).
   */
  readonly trustedKeys: string;
}

export interface SourceTimeouts {
  /** Until the TCP connection is up. */
  readonly connectMs: number;
  /** Longest silence while a request or response is under way. */
  readonly idleMs: number;
  /** The whole operation: listing refs, fetching, reading. */
  readonly totalMs: number;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_FETCH_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_OBJECT_BYTES = 64 * 1024 * 1024;

/** Flux's GitRepository `spec.timeout` is 60s for the whole operation; a connect or a silence gets a share of it. */
export const DEFAULT_TIMEOUTS: SourceTimeouts = { connectMs: 10_000, idleMs: 30_000, totalMs: 60_000 };

/** Never under a world-writable temp dir, where another user could plant a cache first. */
export function defaultCacheDir(): string {
  if (process.getuid?.() === 0) return '/var/cache/gitwire';
  const xdg = process.env.XDG_CACHE_HOME;
  return xdg ? join(xdg, 'gitwire') : join(homedir(), '.cache', 'gitwire');
}
