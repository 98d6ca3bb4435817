/** The kernel lacks a feature a declaration needs; conclusive, never retried. */
export class NotSupportedError extends Error {
  readonly code = 'E_NOT_SUPPORTED';
  readonly errorKind = 'not-supported';
  constructor(
    readonly feature: string,
    /** The kernel configuration that would provide it, e.g. `CONFIG_GENEVE`. */
    readonly kernelConfig: string,
    detail: string,
  ) {
    super(`${feature} is not supported by this kernel (needs ${kernelConfig}): ${detail}`);
    this.name = 'NotSupportedError';
  }
}
