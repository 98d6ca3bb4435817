/** A declaration cannot be applied until a human changes it or the node (e.g. a name taken by an object gitwire does not own); not retried. */
export class StalledError extends Error {
  readonly code = 'E_STALLED';
  readonly errorKind = 'stalled';
  constructor(
    readonly op: string,
    message: string,
    readonly data: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${op}: ${message}`);
    this.name = 'StalledError';
  }
}
