/** A construct used in a way that cannot produce a document; the message starts with the construct path. */
export class ConstructError extends Error {
  readonly code = 'E_CDK8S_CONSTRUCT';
  constructor(
    readonly constructPath: string,
    message: string,
  ) {
    super(`${constructPath}: ${message}`);
    this.name = 'ConstructError';
  }
}
