import { Composer, LineCounter, Parser, type Document } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import type { RepoFile, RepoTree } from '../source/repo-tree.js';
import { formatFieldPath } from './field-path.js';
import { decodeText } from './internal/decode-text.js';
import { lineOfExcessiveFlowDepth } from './internal/flow-depth.js';
import { fileRole } from './internal/select-files.js';
import { YamlLocator } from './internal/yaml-locator.js';
import { LoadCode } from './load-codes.js';
import type { ParsedDocument } from './parsed-document.js';

export interface ReadLimits {
  /** Files larger than this are refused whole. */
  readonly maxFileBytes: number;
  /** Documents in the whole tree, empty ones included; reading stops past it. */
  readonly maxDocuments: number;
  /** Alias expansions per document; yaml measures them so that a "billion laughs" fails early. */
  readonly maxAliasCount: number;
}

/** No real manifest nests flow collections this deep. */
const MAX_FLOW_DEPTH = 64;

export interface ReadResult {
  readonly documents: ParsedDocument[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Reads every YAML file of a tree into documents. Hostile or broken input
 * (oversized, binary, invalid YAML, duplicate keys, alias bombs, too many
 * documents) becomes a diagnostic; nothing here throws on file content.
 */
export function readManifests(tree: RepoTree, limits: ReadLimits): ReadResult {
  const out: ReadResult = { documents: [], diagnostics: [] };
  const files = [...tree.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let budget = limits.maxDocuments;
  for (const file of files) {
    const role = fileRole(file);
    if (role === 'json') noteJsonManifest(file, limits, out);
    if (role !== 'yaml') continue;
    budget = readYamlFile(file, limits, budget, out);
    if (budget < 0) break;
  }
  return out;
}

function error(file: string, line: number, code: string, message: string, path = ''): Diagnostic {
  return { severity: 'error', code, file, line, path, message };
}

function readYamlFile(file: RepoFile, limits: ReadLimits, budget: number, out: ReadResult): number {
  if (file.content.byteLength > limits.maxFileBytes) {
    const msg = `file is ${file.content.byteLength} bytes, over the limit of ${limits.maxFileBytes}; refused`;
    out.diagnostics.push(error(file.path, 1, LoadCode.fileTooLarge, msg));
    return budget;
  }
  const decoded = decodeText(file.content);
  if (!decoded.ok) {
    const msg = `has a YAML name but ${decoded.reason}; binary files are refused`;
    out.diagnostics.push(error(file.path, decoded.line, LoadCode.fileNotText, msg));
    return budget;
  }
  const deepAt = lineOfExcessiveFlowDepth(decoded.text, MAX_FLOW_DEPTH);
  if (deepAt > 0) {
    const msg = `flow collections ([ ] or { }) nest deeper than ${MAX_FLOW_DEPTH} levels; refused`;
    out.diagnostics.push(error(file.path, deepAt, LoadCode.yamlTooDeep, msg));
    return budget;
  }
  const lines = new LineCounter();
  const composer = new Composer({ uniqueKeys: true, strict: true, prettyErrors: false });
  let index = 0;
  try {
    for (const doc of composer.compose(new Parser(lines.addNewLine).parse(decoded.text))) {
      if (--budget < 0) {
        const line = Math.max(1, lines.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line);
        const msg = `more than ${limits.maxDocuments} YAML documents in the repository; reading stopped here`;
        out.diagnostics.push(error(file.path, line, LoadCode.tooManyDocuments, msg));
        return budget;
      }
      const parsed = toParsedDocument(file.path, index++, doc, lines, limits, out.diagnostics);
      if (parsed) out.documents.push(parsed);
    }
  } catch (e) {
    // The composer recurses per nesting level; absurd nesting ends the file, not the process.
    if (!(e instanceof RangeError)) throw e;
    const msg = 'YAML nesting is too deep to read; refused';
    out.diagnostics.push(error(file.path, 1, LoadCode.yamlTooDeep, msg));
  }
  return budget;
}

function toParsedDocument(
  file: string,
  index: number,
  doc: Document.Parsed,
  lines: LineCounter,
  limits: ReadLimits,
  diagnostics: Diagnostic[],
): ParsedDocument | null {
  const locator = new YamlLocator(doc, lines);
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
  return { file, line, index, value, lineOf: (path) => locator.lineOf(path) };
}

function yamlMessage(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Warns about a JSON file that looks like a manifest: gitwire reads YAML only, and says so instead of skipping it silently. */
function noteJsonManifest(file: RepoFile, limits: ReadLimits, out: ReadResult): void {
  if (file.content.byteLength > limits.maxFileBytes) return;
  const decoded = decodeText(file.content);
  if (!decoded.ok) return;
  let value: unknown;
  try {
    value = JSON.parse(decoded.text);
  } catch {
    return;
  }
  if (typeof value !== 'object' || value === null || !('apiVersion' in value) || !('kind' in value)) return;
  const msg =
    'looks like a Kubernetes manifest, but gitwire reads only .yaml/.yml files; not read (JSON is valid YAML: rename it)';
  out.diagnostics.push({
    severity: 'warning',
    code: LoadCode.jsonNotRead,
    file: file.path,
    line: 1,
    path: '',
    message: msg,
  });
}
