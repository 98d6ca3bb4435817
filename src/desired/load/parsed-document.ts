import type { FieldPath } from './field-path.js';

/** One non-empty YAML document of a file, as plain data plus a way back to its source lines. */
export interface ParsedDocument {
  readonly file: string;
  /** Line of the document's first content (usually `apiVersion:`). */
  readonly line: number;
  /** Position of the document in its file, from 0. */
  readonly index: number;
  readonly value: unknown;
  /** Line of the field at `path`, or of its deepest existing ancestor when the field is missing. */
  lineOf(path: FieldPath): number;
}
