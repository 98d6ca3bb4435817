/** How one output file relates to what the app produces now. */
export type SynthFileStatus = 'unchanged' | 'changed' | 'added' | 'removed';

export interface SynthReport {
  /** True when every committed file already matches the app's output. */
  readonly upToDate: boolean;
  /** True when the differences were written (not with `check`). */
  readonly written: boolean;
  readonly files: readonly { readonly path: string; readonly status: SynthFileStatus }[];
  /** What the app printed (validation warnings, mostly). */
  readonly appOutput: string;
}
