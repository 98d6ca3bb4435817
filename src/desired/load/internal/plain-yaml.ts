import type { FieldPath } from '../field-path.js';

/** One document read by readPlainYaml: its value and the line of every key and list item. */
export interface PlainDocument {
  /** Position among the file's documents, empty ones included, as the full parser counts them. */
  readonly index: number;
  readonly value: unknown;
  /** Line of the document's first content. */
  readonly line: number;
  /** Same answer as YamlLocator.lineOf on the same text. */
  lineOf(path: FieldPath): number;
}

/** Thrown inside the reader when the text leaves the subset; caught in readPlainYaml. */
class NotPlain extends Error {}

/** A file's content lines (blank and comment lines left out), as three columns: no object per line. */
interface FileLines {
  /** Line number, from 1. */
  readonly no: number[];
  readonly indent: number[];
  /** The line without its indent and trailing spaces. */
  readonly text: string[];
}

/** One document: its lines are `start` up to `end` of the file's. */
interface DocLines {
  readonly file: FileLines;
  readonly start: number;
  readonly end: number;
}

type Lines = Map<string, number> | number[];

// Every number of the YAML 1.2 core schema (yaml's own tests, merged); only DECIMAL is read here.
const NUMBERISH =
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
const DECIMAL = /^-?(0|[1-9][0-9]{0,14})$/;
const NULLS = new Set(['~', 'null', 'Null', 'NULL']);
const BOOLS = new Map([
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);
// `*` only after the first character: there it is text (L7 path regexes like /api/.*), not an alias.
const PLAIN = /^(?:[A-Za-z0-9_/]|[-.][A-Za-z0-9_])[A-Za-z0-9 _./:=@+~()*-]*$/;
const KEY = /^[A-Za-z0-9_./-][A-Za-z0-9_./:-]*$/;

/**
 * Reads a file written in the plain block style that manifests use (nested
 * mappings and lists, plain or simply quoted one-line scalars, comments,
 * `{}` and `[]`) several times faster than the full YAML parser. Anything
 * else (anchors, tags, block or flow content, escapes, tabs, odd numbers,
 * duplicate keys) returns null, and the file goes to the full parser, so
 * every value read here is the one the full parser gives.
 */
export function readPlainYaml(text: string): { documents: PlainDocument[]; count: number } | null {
  try {
    return readDocuments(text);
  } catch (e) {
    if (e instanceof NotPlain) return null;
    throw e;
  }
}

function readDocuments(text: string): { documents: PlainDocument[]; count: number } {
  const documents: PlainDocument[] = [];
  const file: FileLines = { no: [], indent: [], text: [] };
  let count = 0;
  let start = 0;
  let started = false;
  const flush = () => {
    const end = file.no.length;
    if (end > start) documents.push(readDocument({ file, start, end }, count - 1));
    start = end;
  };
  if (text.includes('\t') || text.includes('\r')) throw new NotPlain();
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i]!;
    const first = t.charCodeAt(0);
    if (first === 45 && t.startsWith('---') && (t.length === 3 || t[3] === ' ')) {
      if (t.slice(3).trim() !== '' && !t.slice(3).trim().startsWith('#')) throw new NotPlain();
      if (started || file.no.length > start) count++;
      flush();
      started = true;
      continue;
    }
    if ((first === 46 && t.startsWith('...')) || first === 37) throw new NotPlain();
    const body = first === 32 ? t.trimStart() : t;
    if (body === '' || body.charCodeAt(0) === 35) continue;
    file.no.push(i + 1);
    file.indent.push(t.length - body.length);
    file.text.push(body.charCodeAt(body.length - 1) === 32 ? body.trimEnd() : body);
  }
  if (started || file.no.length > start) count++;
  flush();
  return { documents, count };
}

function readDocument(lines: DocLines, index: number): PlainDocument {
  const value = readBlock(lines, null);
  const rootLine = lines.file.no[lines.start]!;
  // Lines are asked for rarely (a finding, a policy rule's source): the first few questions walk the lines;
  // a document asked more often (many findings) gets the tables of a second reading.
  let asked = 0;
  let read: { value: unknown; tables: Map<object, Lines> } | undefined;
  const lineOfPath = (path: FieldPath) => {
    if (++asked <= WALKS) return walkTo(lines, path);
    if (!read) {
      const tables = new Map<object, Lines>();
      read = { value: readBlock(lines, tables), tables };
    }
    return lineOf(read.value, rootLine, read.tables, path);
  };
  return { index, value, line: rootLine, lineOf: lineOfPath };
}

/** The value of one document's lines; with `tables`, the line of each key and item of each object and list read. */
function readBlock(lines: DocLines, tables: Map<object, Lines> | null): unknown {
  const reader = new BlockReader(lines, tables);
  const value = reader.node(lines.file.indent[lines.start]!);
  if (!reader.done()) throw new NotPlain();
  return value;
}

function lineOf(root: unknown, rootLine: number, tables: Map<object, Lines>, path: FieldPath): number {
  let node = root;
  let line = rootLine;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') break;
    const table = tables.get(node);
    const at = Array.isArray(table) ? (typeof seg === 'number' ? table[seg] : undefined) : table?.get(String(seg));
    if (at === undefined) break;
    line = at;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return line;
}

/** Questions about a document's lines answered by walking them, before its tables are built. */
const WALKS = 8;

/** The first line of a node: a `- key: value` item's mapping starts on the dash line, after the dash. */
interface NodeAt {
  readonly at: number;
  readonly indent: number;
  readonly text: string;
}

/** Same answer as lineOf on the tables of a second reading, from the lines alone (the document read as plain). */
function walkTo(lines: DocLines, path: FieldPath): number {
  const { indent, text } = lines.file;
  let node: NodeAt | null = { at: lines.start, indent: indent[lines.start]!, text: text[lines.start]! };
  let line = lines.file.no[lines.start]!;
  for (const seg of path) {
    if (node === null) break;
    const found: { line: number; node: NodeAt | null } | null = isItem(node.text)
      ? itemOf(lines, node, seg)
      : keyOf(lines, node, String(seg));
    if (found === null) break;
    ({ line, node } = found);
  }
  return line;
}

function keyOf(lines: DocLines, map: NodeAt, key: string): { line: number; node: NodeAt | null } | null {
  const { no, indent, text: texts } = lines.file;
  let at = map.at;
  let text = map.text;
  for (;;) {
    const colon = keyEnd(text);
    if (readKey(text.slice(0, colon)) === key) {
      const empty = stripComment(text.slice(colon + 1).trimStart()) === '';
      const next = at + 1;
      // As BlockReader.value: the block below, or a list at the key's own indent.
      const below =
        next < lines.end && (indent[next]! > map.indent || (indent[next] === map.indent && isItem(texts[next]!)));
      return { line: no[at]!, node: empty && below ? { at: next, indent: indent[next]!, text: texts[next]! } : null };
    }
    // Past this key's value: deeper lines, and a list at the key's own indent (only an empty value has one).
    at++;
    while (at < lines.end && (indent[at]! > map.indent || (indent[at] === map.indent && isItem(texts[at]!)))) at++;
    if (at >= lines.end || indent[at] !== map.indent) return null;
    text = texts[at]!;
  }
}

function itemOf(lines: DocLines, list: NodeAt, seg: string | number): { line: number; node: NodeAt | null } | null {
  if (typeof seg !== 'number') return null;
  const { no, indent, text: texts } = lines.file;
  let at = list.at;
  for (let n = 0; ; n++) {
    if (n === seg) {
      const text = texts[at]!;
      const rest = text.slice(1).trimStart();
      // As BlockReader.list: a block below the dash, a mapping after it, or a scalar.
      if (rest === '' || rest.charCodeAt(0) === 35)
        return { line: no[at + 1]!, node: { at: at + 1, indent: indent[at + 1]!, text: texts[at + 1]! } };
      if (hasKey(rest))
        return { line: no[at]!, node: { at, indent: list.indent + text.length - rest.length, text: rest } };
      return { line: no[at]!, node: null };
    }
    at++;
    while (at < lines.end && indent[at]! > list.indent) at++;
    if (at >= lines.end || indent[at] !== list.indent || !isItem(texts[at]!)) return null;
  }
}

class BlockReader {
  private at: number;
  private readonly end: number;
  private readonly no: readonly number[];
  private readonly indents: readonly number[];
  private readonly texts: readonly string[];
  /** The line at `at` read as `- key: value` with the `- ` left out (the lines stay as they are, for a second reading). */
  private innerText: string | null = null;
  private innerIndent = 0;

  constructor(
    lines: DocLines,
    private readonly tables: Map<object, Lines> | null,
  ) {
    this.at = lines.start;
    this.end = lines.end;
    this.no = lines.file.no;
    this.indents = lines.file.indent;
    this.texts = lines.file.text;
  }

  done(): boolean {
    return this.at === this.end;
  }

  /** Indent of the current line; -1 past the document's end. */
  private indent(): number {
    if (this.at === this.end) return -1;
    return this.innerText === null ? this.indents[this.at]! : this.innerIndent;
  }

  private text(): string {
    return this.innerText ?? this.texts[this.at]!;
  }

  private next(): void {
    this.at++;
    this.innerText = null;
  }

  node(indent: number): unknown {
    return isItem(this.text()) ? this.list(indent) : this.map(indent);
  }

  private map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const lines = this.tables ? new Map<string, number>() : null;
    if (lines) this.tables?.set(out, lines);
    while (this.indent() === indent) {
      const text = this.text();
      if (isItem(text)) break;
      const colon = keyEnd(text);
      const key = readKey(text.slice(0, colon));
      if (Object.hasOwn(out, key) || key === '__proto__') throw new NotPlain();
      lines?.set(key, this.no[this.at]!);
      this.next();
      out[key] = this.value(text.slice(colon + 1).trimStart(), indent, true);
    }
    if (this.indent() > indent) throw new NotPlain();
    return out;
  }

  private list(indent: number): unknown[] {
    const out: unknown[] = [];
    const lines: number[] | null = this.tables ? [] : null;
    if (lines) this.tables?.set(out, lines);
    while (this.indent() === indent) {
      const text = this.text();
      if (!isItem(text)) break;
      const no = this.no[this.at]!;
      const rest = text.slice(1).trimStart();
      if (rest === '' || rest.charCodeAt(0) === 35) {
        this.next();
        const inner = this.indent();
        if (inner <= indent) throw new NotPlain();
        lines?.push(this.no[this.at]!);
        out.push(this.node(inner));
      } else if (isItem(rest)) {
        throw new NotPlain();
      } else if (hasKey(rest)) {
        // `- key: value` opens a mapping whose keys line up with this first one.
        this.innerIndent = indent + text.length - rest.length;
        this.innerText = rest;
        lines?.push(no);
        out.push(this.map(this.innerIndent));
      } else {
        this.next();
        lines?.push(no);
        out.push(this.value(rest, indent, false));
      }
    }
    if (this.indent() > indent) throw new NotPlain();
    return out;
  }

  /** The value after `key:` or `- `; an empty one is the nested block below, if any. */
  private value(text: string, indent: number, inMap: boolean): unknown {
    const rest = stripComment(text);
    if (rest !== '') return scalar(rest);
    const next = this.indent();
    if (next > indent) return this.node(next);
    // A list may sit at its key's own indent (`ports:` then `- port: 80`).
    if (inMap && next === indent && isItem(this.text())) return this.list(indent);
    return null;
  }
}

function isItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

function hasKey(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c === 34 || c === 39) return /^("[^"\\]*"|'[^']*') *:( |$)/.test(text);
  return /^[^ #]*?:( |$)/.test(text) && !text.startsWith('{') && !text.startsWith('[');
}

/** Offset of the colon that ends the key of a mapping line. */
function keyEnd(text: string): number {
  const c = text.charCodeAt(0);
  if (c === 34 || c === 39) {
    const quoted = /^("[^"\\]*"|'[^']*') *:( |$)/.exec(text);
    if (quoted) return quoted[0].trimEnd().length - 1;
  }
  // The first colon followed by a space or the end of the line.
  const spaced = text.indexOf(': ');
  if (spaced >= 0) return spaced;
  if (text.endsWith(':')) return text.length - 1;
  throw new NotPlain();
}

// Manifests repeat a few dozen keys many times over: each is checked once.
const KEYS = new Map<string, string>();
const MAX_KEYS = 10_000;

function readKey(raw: string): string {
  const known = KEYS.get(raw);
  if (known !== undefined) return known;
  const key = raw.trimEnd();
  if (key.length > 1000) throw new NotPlain();
  let read = key;
  if (/^"[^"\\]*"$|^'[^']*'$/.test(key)) read = key.slice(1, -1);
  else if (!KEY.test(key) || NUMBERISH.test(key) || NULLS.has(key) || BOOLS.has(key)) throw new NotPlain();
  if (KEYS.size >= MAX_KEYS) KEYS.clear();
  KEYS.set(raw, read);
  return read;
}

function stripComment(text: string): string {
  const c = text.charCodeAt(0);
  if (c === 34 || c === 39) {
    const m = /^("[^"\\]*"|'[^']*')( +#.*| *)$/.exec(text);
    if (!m) throw new NotPlain();
    return m[1]!;
  }
  const hash = text.indexOf(' #');
  const body = text.startsWith('#') ? '' : hash >= 0 ? text.slice(0, hash).trimEnd() : text;
  if (body.includes('#')) throw new NotPlain();
  return body;
}

function scalar(text: string): unknown {
  const c = text.charCodeAt(0);
  if (c === 34 || c === 39) return text.slice(1, -1);
  if (text === '{}') return {};
  if (text === '[]') return [];
  // Only these can start a null, a boolean or a number of the core schema.
  if ((c === 126 || c === 110 || c === 78) && NULLS.has(text)) return null;
  const bool = c === 116 || c === 84 || c === 102 || c === 70 ? BOOLS.get(text) : undefined;
  if (bool !== undefined) return bool;
  const numberish = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (numberish && DECIMAL.test(text) && text !== '-0') return Number(text);
  if ((numberish && NUMBERISH.test(text)) || !PLAIN.test(text)) throw new NotPlain();
  if (text.includes(':') && /:( |$)/.test(text)) throw new NotPlain();
  return text;
}
