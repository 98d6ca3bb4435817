import { Composer, LineCounter, Parser, type Document } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import type { RepoFile } from '../source/repo-tree.js';
import { formatFieldPath, type FieldPath } from './field-path.js';
import { decodeText } from './internal/decode-text.js';
import { lineOfExcessiveFlowDepth } from './internal/flow-depth.js';
import { SourceLines } from './internal/source-lines.js';
import { readPlainYaml } from './internal/plain-yaml.js';
import { YamlLocator } from './internal/yaml-locator.js';
import { LoadCode } from './load-codes.js';
import type { ParsedDocument } from './parsed-document.js';
import type { ReadLimits } from './manifest-files.js';

/** No real manifest nests flow collections this deep. */
const MAX_FLOW_DEPTH = 64;

/** What one YAML file holds, read on its own. */
export interface FileRead {
  readonly documents: ParsedDocument[];
  readonly diagnostics: Diagnostic[];
  /** Documents counted against the tree's budget, empty ones included. */
  readonly documentCount: number;
  /** Reading stopped here because the tree's document budget ran out. */
  readonly truncated: boolean;
  /**
   * Lets the syntax trees go: the documents keep answering lineOf, by
   * parsing the file again on demand (only a finding about it needs that).
   */
  release(): void;
}

function error(file: string, line: number, code: string, message: string, path = ''): Diagnostic {
  return { severity: 'error', code, file, line, path, message };
}

/** Reads one YAML file on its own; `budget` is how many documents the tree may still hold. */
export function readYamlFile(file: RepoFile, limits: ReadLimits, budget: number): FileRead {
  const out: ReadSoFar = { documents: [], diagnostics: [], documentCount: 0 };
  const refused = (line: number, code: string, msg: string): FileRead => {
    out.diagnostics.push(error(file.path, line, code, msg));
    return { ...out, truncated: false, release: () => {} };
  };
  if (file.content.byteLength > limits.maxFileBytes) {
    const msg = `file is ${file.content.byteLength} bytes, over the limit of ${limits.maxFileBytes}; refused`;
    return refused(1, LoadCode.fileTooLarge, msg);
  }
  const decoded = decodeText(file.content);
  if (!decoded.ok) {
    const msg = `has a YAML name but ${decoded.reason}; binary files are refused`;
    return refused(decoded.line, LoadCode.fileNotText, msg);
  }
  const deepAt = lineOfExcessiveFlowDepth(decoded.text, MAX_FLOW_DEPTH);
  if (deepAt > 0) {
    const msg = `flow collections ([ ] or { }) nest deeper than ${MAX_FLOW_DEPTH} levels; refused`;
    return refused(deepAt, LoadCode.yamlTooDeep, msg);
  }
  const lines = new SourceLines(decoded.text, composeAll);
  const plain = readPlainYaml(decoded.text);
  if (!plain || plain.count > budget) return readWithFullParser(file.path, decoded.text, lines, limits, budget, out);
  for (const d of plain.documents) {
    lines.add(d.index, d);
    out.documents.push({
      file: file.path,
      line: d.line,
      index: d.index,
      value: d.value,
      lineOf: lineOf(lines, d.index),
    });
  }
  return { ...out, documentCount: plain.count, truncated: false, release: () => lines.release() };
}

/**
 * A document's way back to its lines. Made out here: a closure made inside
 * readYamlFile would keep that call's scope, and with it every value the file
 * read, alive for as long as the document is cached. Only the index: the plain
 * reader's line tables must go with release(), not live on in a cache.
 */
function lineOf(lines: SourceLines, index: number): (path: FieldPath) => number {
  return (path) => lines.locator(index).lineOf(path);
}

type ReadSoFar = { documents: ParsedDocument[]; diagnostics: Diagnostic[]; documentCount: number };

/** The `yaml` package's reading: whatever the plain reader leaves, with every error and warning it finds. */
function readWithFullParser(
  file: string,
  text: string,
  lines: SourceLines,
  limits: ReadLimits,
  budget: number,
  out: ReadSoFar,
): FileRead {
  const counter = new LineCounter();
  let truncated = false;
  let index = 0;
  try {
    const docs = composeAll(text, counter);
    for (let next = docs.next(); !next.done; next = docs.next()) {
      const doc = next.value;
      if (++out.documentCount > budget) {
        const line = Math.max(1, counter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line);
        const msg = `more than ${limits.maxDocuments} YAML documents in the repository; reading stopped here`;
        out.diagnostics.push(error(file, line, LoadCode.tooManyDocuments, msg));
        truncated = true;
        break;
      }
      const locator = new YamlLocator(doc, counter);
      lines.add(index, locator);
      const document = toParsedDocument(file, index++, doc, locator, lines, limits, out.diagnostics);
      if (document) out.documents.push(document);
    }
  } catch (e) {
    // The composer recurses per nesting level; absurd nesting ends the file, not the process.
    if (!(e instanceof RangeError)) throw e;
    out.diagnostics.push(error(file, 1, LoadCode.yamlTooDeep, 'YAML nesting is too deep to read; refused'));
  }
  return { ...out, truncated, release: () => lines.release() };
}

function composeAll(text: string, counter: LineCounter): Iterator<Document.Parsed> {
  const composer = new Composer({ uniqueKeys: true, strict: true, prettyErrors: false });
  return composer.compose(new Parser(counter.addNewLine).parse(text));
}

function toParsedDocument(
  file: string,
  index: number,
  doc: Document.Parsed,
  locator: YamlLocator,
  lines: SourceLines,
  limits: ReadLimits,
  diagnostics: Diagnostic[],
): ParsedDocument | null {
  for (const w of doc.warnings) {
    const path = formatFieldPath(locator.pathAt(w.pos[0]));
    diagnostics.push({
      ...error(file, locator.lineOfOffset(w.pos[0]), LoadCode.yamlWarning, w.message, path),
      severity: 'warning',
    });
  }
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const duplicate = e.code === 'DUPLICATE_KEY';
      const path = duplicate ? formatFieldPath(locator.pathAt(e.pos[0])) : '';
      const message = duplicate ? 'duplicate key: a field may appear only once per object' : yamlMessage(e.message);
      const code = duplicate ? LoadCode.yamlDuplicateKey : LoadCode.yamlSyntax;
      diagnostics.push(error(file, locator.lineOfOffset(e.pos[0]), code, message, path));
    }
    return null;
  }
  const start = doc.contents?.range?.[0] ?? doc.range[0];
  const line = locator.lineOfOffset(start);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (e) {
    if (!(e instanceof ReferenceError) && !(e instanceof RangeError)) throw e;
    const msg = `YAML aliases expand past ${limits.maxAliasCount} nodes (an alias bomb?); refused`;
    diagnostics.push(error(file, line, LoadCode.yamlAliasLimit, msg));
    return null;
  }
  if (value === null || value === undefined) return null;
  return { file, line, index, value, lineOf: lineOf(lines, index) };
}

function yamlMessage(message: string): string {
  return message.split('\n')[0] ?? message;
}
