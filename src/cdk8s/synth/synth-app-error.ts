/** The cdk8s app could not be run, or exited with an error (a validation failure, a type error...). */
export class SynthAppError extends Error {
  readonly code = 'E_SYNTH_APP';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    const how = exitCode === null ? 'could not be run' : `exited with code ${exitCode}`;
    super(`the cdk8s app \`${command}\` ${how}${stderr.trim() ? `:\n${stderr.trimEnd()}` : ''}`);
    this.name = 'SynthAppError';
  }
}
