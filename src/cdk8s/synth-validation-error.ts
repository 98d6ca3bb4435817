import { formatDiagnostic, type Diagnostic } from '../desired/diagnostics.js';

/** A diagnostic of the synthesized configuration, with the construct that produced the document (if the app made it). */
export interface SynthDiagnostic extends Diagnostic {
  readonly constructPath: string | null;
}

export function formatSynthDiagnostic(d: SynthDiagnostic): string {
  return d.constructPath ? `${d.constructPath}: ${formatDiagnostic(d)}` : formatDiagnostic(d);
}

/** The app would produce a configuration that `gitwire validate` rejects; nothing was written. */
export class SynthValidationError extends Error {
  readonly code = 'E_SYNTH_VALIDATION';
  constructor(readonly diagnostics: readonly SynthDiagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      `the synthesized configuration does not validate (${errors.length} error(s)):\n${errors.map(formatSynthDiagnostic).join('\n')}`,
    );
    this.name = 'SynthValidationError';
  }
}
