/** A model that cannot be compiled for a node; `code` is stable for callers and tests. */
export type CompileErrorCode = 'E_COMPILE_NO_CLUSTER' | 'E_COMPILE_UNKNOWN_NODE' | 'E_COMPILE_IDENTITY_MISSING';

export class CompileError extends Error {
  /** The model is wrong for this node: only a new commit helps. */
  readonly errorKind = 'stalled';
  constructor(
    readonly code: CompileErrorCode,
    message: string,
    readonly data: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'CompileError';
  }
}
