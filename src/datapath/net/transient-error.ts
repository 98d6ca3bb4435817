/** A kernel operation failed in a way a later retry may fix (a device not there yet, a race). */
export class TransientError extends Error {
  readonly code = 'E_TRANSIENT';
  readonly errorKind = 'transient';
  constructor(
    readonly op: string,
    message: string,
    readonly data: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${op}: ${message}`);
    this.name = 'TransientError';
  }
}
