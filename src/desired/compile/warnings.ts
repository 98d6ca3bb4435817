import type { Diagnostic, SourceLocation } from '../diagnostics.js';

/** Collects warnings once each (the same rule can be visited for many endpoints). */
export class Warnings {
  // Made with the first warning: a compile keeps one collection per rule and per node, most of them empty.
  private seen: Map<string, Diagnostic> | null = null;

  add(code: string, where: SourceLocation, path: string, message: string): void {
    const d: Diagnostic = { severity: 'warning', code, file: where.file, line: where.line, path, message };
    const key = `${d.file}\0${d.line}\0${d.path}\0${d.code}\0${d.message}`;
    this.seen ??= new Map();
    if (!this.seen.has(key)) this.seen.set(key, d);
  }

  addAll(other: Warnings): void {
    if (other.seen === null) return;
    this.seen ??= new Map();
    for (const [k, d] of other.seen) if (!this.seen.has(k)) this.seen.set(k, d);
  }

  /** Sorted by file, line, path and code, so output does not depend on visiting order. */
  list(): Diagnostic[] {
    return [...(this.seen?.values() ?? [])].sort(
      (a, b) =>
        cmp(a.file, b.file) ||
        a.line - b.line ||
        cmp(a.path, b.path) ||
        cmp(a.code, b.code) ||
        cmp(a.message, b.message),
    );
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
