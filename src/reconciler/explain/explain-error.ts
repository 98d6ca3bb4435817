export type ExplainErrorCode = 'E_EXPLAIN_UNKNOWN_ENDPOINT' | 'E_EXPLAIN_AMBIGUOUS_ENDPOINT' | 'E_EXPLAIN_BAD_FLOW';

/** A question explain cannot answer as asked: an endpoint that is not declared, a malformed port or address. */
export class ExplainError extends Error {
  constructor(
    readonly code: ExplainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExplainError';
  }
}
