import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** The observe server would serve every network that reaches the node without a token: refused at start. */
export class ObserveTokenRequiredError extends Error {
  readonly code = 'E_OBSERVE_TOKEN_REQUIRED';
  constructor(readonly addr: string) {
    super(
      `--observe-addr ${addr} is not a loopback address: set $GITWIRE_OBSERVE_TOKEN or --observe-token-file, ` +
        'or listen on 127.0.0.1',
    );
    this.name = 'ObserveTokenRequiredError';
  }
}

/** A token file that cannot be used (unreadable or empty). */
export class ObserveTokenFileError extends Error {
  readonly code = 'E_OBSERVE_TOKEN_FILE';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`--observe-token-file ${file}: ${reason}`);
    this.name = 'ObserveTokenFileError';
  }
}

/**
 * The bearer token: the file's first line wins over `$GITWIRE_OBSERVE_TOKEN`
 * (a file can be a mounted Secret); null when neither is set. Never a flag
 * value, which `ps` would show.
 */
export function readObserveToken(file: string | undefined, env = process.env): string | null {
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ObserveTokenFileError(file, (e as Error).message);
    }
    const token = text.split('\n')[0]!.trim();
    if (token === '') throw new ObserveTokenFileError(file, 'empty');
    return token;
  }
  const token = env.GITWIRE_OBSERVE_TOKEN?.trim() ?? '';
  return token === '' ? null : token;
}

/** 127.0.0.0/8, ::1 and `localhost`: reachable from this machine only. An empty host is every address. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * Checks an `Authorization: Bearer` header against the token in constant time:
 * both sides are hashed first, so neither the length nor a prefix leaks.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  const given = createHash('sha256')
    .update(m?.[1] ?? '')
    .digest();
  const wanted = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, wanted) && m !== null;
}
