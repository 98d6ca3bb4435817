import type { AuthCallback } from 'isomorphic-git';
import type { SourceAuth } from '../source-options.js';
import { timedHttp, type TimedHttpClient, type TransferLimits } from './timed-http.js';

/** How to talk to one HTTP(S) remote: its URL and the credentials to present. */
export interface RemoteConnection {
  readonly url: string;
  readonly credentials: 'none' | 'token' | 'basic';
  /** Fresh per request: isomorphic-git writes into the headers object it is given. */
  headers(): Record<string, string>;
  readonly onAuth: AuthCallback | undefined;
  /** Every request goes through it, under the operation's timeouts. */
  readonly http: TimedHttpClient;
}

export function remoteConnection(url: string, auth: SourceAuth | undefined, limits: TransferLimits): RemoteConnection {
  const token = auth?.token;
  const basic = auth?.username !== undefined || auth?.password !== undefined;
  // isomorphic-git sends `user:password@` from the URL itself; only the error message needs to know.
  const inUrl = new URL(url).username !== '';
  return {
    url,
    credentials: token !== undefined ? 'token' : basic || inUrl ? 'basic' : 'none',
    // A bearer token is sent up front; basic credentials answer the server's 401 challenge, as git does.
    headers: (): Record<string, string> => (token !== undefined ? { Authorization: `Bearer ${token}` } : {}),
    onAuth: basic ? () => ({ username: auth?.username ?? '', password: auth?.password ?? '' }) : undefined,
    http: timedHttp(limits),
  };
}
