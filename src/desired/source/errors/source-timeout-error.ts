import { SourceError } from './source-error.js';

export interface SourceTimeoutData {
  readonly url: string;
  /** Which limit ended the transfer; `aborted` when the caller gave up (the agent stopping). */
  readonly limit: 'connect' | 'idle' | 'total' | 'aborted';
  /** The limit in milliseconds (0 for aborted). */
  readonly ms: number;
}

const explain: Record<SourceTimeoutData['limit'], (ms: number) => string> = {
  connect: (ms) => `no connection within ${ms} ms (--git-connect-timeout)`,
  idle: (ms) => `the server sent nothing for ${ms} ms (--git-idle-timeout)`,
  total: (ms) => `not done within ${ms} ms (--git-timeout)`,
  aborted: () => 'aborted: gitwire is stopping',
};

/** A transfer from the remote was cut off by a timeout or an abort; transient, the next try starts afresh. */
export class SourceTimeoutError extends SourceError<SourceTimeoutData> {
  readonly code = 'E_SOURCE_TIMEOUT';
  override readonly name = 'SourceTimeoutError';

  constructor(data: SourceTimeoutData, cause?: unknown) {
    super(`fetching ${data.url} stopped: ${explain[data.limit](data.ms)}`, data, { cause });
  }
}
