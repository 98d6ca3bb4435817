import { visible } from './visible-text.js';
/** Where a declaration, or one field of it, came from in the configuration repository. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

export type Severity = 'error' | 'warning';

/**
 * One finding about the configuration: a validation error that rejects the
 * commit, or a warning (a field gitwire parses but cannot enforce yet, a
 * Service that selects nothing). `path` is the field path inside the document,
 * e.g. `spec.ingress[0].toPorts[0].ports[0].port`.
 */
export interface Diagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly path: string;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  // A finding about the node rather than a file (e.g. from apply) has no location.
  const at = d.file ? `${d.file}:${d.line}: ` : '';
  const where = d.path ? `${at}${d.path}: ` : at;
  // File names, field paths and messages quote the repository: one visible line, whatever they hold.
  return visible(`${d.severity === 'warning' ? 'warning: ' : ''}${where}${d.message}`);
}

/** A commit that fails validation; carries every error of the commit at once. */
export class ValidationError extends Error {
  readonly code = 'E_VALIDATION';
  readonly errorKind = 'stalled';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(`${errors.length} validation error(s):\n${errors.map(formatDiagnostic).join('\n')}`);
    this.name = 'ValidationError';
  }
}
