import type { Diagnostic, Severity } from '../../diagnostics.js';
import { formatFieldPath, type FieldPath, type ParsedDocument } from '../../load/index.js';

/** Collects findings about one document, resolving each field path to the line it was written on. */
export class Reporter {
  constructor(
    readonly doc: ParsedDocument,
    private readonly sink: Diagnostic[],
  ) {}

  error(code: string, path: FieldPath, message: string): void {
    this.add('error', code, path, message);
  }

  warn(code: string, path: FieldPath, message: string): void {
    this.add('warning', code, path, message);
  }

  private add(severity: Severity, code: string, path: FieldPath, message: string): void {
    const line = path.length === 0 ? this.doc.line : this.doc.lineOf(path);
    this.sink.push({ severity, code, file: this.doc.file, line, path: formatFieldPath(path), message });
  }
}
