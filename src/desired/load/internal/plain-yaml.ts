import type { FieldPath } from '../field-path.js';
import { hasKeyAt, isEmptyValue, isItemAt, keyAt, keyEndAt, NotPlain, scalarAt, skipSpaces } from './plain-scalars.js';

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

/**
 * A file's content lines (blank and comment lines left out), as columns of
 * numbers: where each line's content starts and ends in the text, no string
 * or object per line. The columns grow while the file is read.
 */
class FileLines {
  count = 0;
  /** Line number, from 1. */
  no: Int32Array;
  indent: Int32Array;
  /** Offsets of the content: after the indent, before trailing spaces. */
  start: Int32Array;
  end: Int32Array;

  constructor(readonly text: string) {
    // A manifest has about one content line in 20 characters; the columns double when that is short.
    const size = 16 + (text.length >> 4);
    [this.no, this.indent, this.start, this.end] = [0, 0, 0, 0].map(() => new Int32Array(size)) as [
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
    ];
  }

  push(no: number, indent: number, start: number, end: number): void {
    if (this.count === this.no.length) this.grow();
    const at = this.count++;
    this.no[at] = no;
    this.indent[at] = indent;
    this.start[at] = start;
    this.end[at] = end;
  }

  private grow(): void {
    const wider = (column: Int32Array) => {
      const out = new Int32Array(column.length * 2);
      out.set(column);
      return out;
    };
    [this.no, this.indent, this.start, this.end] = [
      wider(this.no),
      wider(this.indent),
      wider(this.start),
      wider(this.end),
    ];
  }
}

/** One document: its lines are `first` up to `last` (exclusive) of the file's. */
interface DocLines {
  readonly file: FileLines;
  readonly first: number;
  readonly last: number;
}

type Lines = Map<string, number> | number[];

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
  if (text.includes('\t') || text.includes('\r')) throw new NotPlain();
  const documents: PlainDocument[] = [];
  const file = new FileLines(text);
  let count = 0;
  let first = 0;
  let started = false;
  const flush = () => {
    const last = file.count;
    if (last > first) documents.push(readDocument({ file, first, last }, count - 1));
    first = last;
  };
  for (let at = 0, no = 1; at <= text.length; no++) {
    const lineStart = at;
    const nl = text.indexOf('\n', at);
    const lineEnd = nl < 0 ? text.length : nl;
    at = lineEnd + 1;
    const c = text.charCodeAt(lineStart);
    if (c === 45 && isMarker(text, lineStart, lineEnd)) {
      if (started || file.count > first) count++;
      flush();
      started = true;
      continue;
    }
    if ((c === 46 && text.startsWith('...', lineStart)) || c === 37) throw new NotPlain();
    const s = skipSpaces(text, lineStart, lineEnd);
    if (s === lineEnd || text.charCodeAt(s) === 35) continue;
    let e = lineEnd;
    while (text.charCodeAt(e - 1) === 32) e--;
    file.push(no, s - lineStart, s, e);
  }
  if (started || file.count > first) count++;
  flush();
  return { documents, count };
}

/** `---` (then a space or the end) starts a document; anything but a comment after it is not plain. */
function isMarker(text: string, s: number, e: number): boolean {
  if (!text.startsWith('---', s) || !(e === s + 3 || text.charCodeAt(s + 3) === 32)) return false;
  const after = skipSpaces(text, s + 3, e);
  if (after < e && text.charCodeAt(after) !== 35) throw new NotPlain();
  return true;
}

function readDocument(lines: DocLines, index: number): PlainDocument {
  const value = readBlock(lines, null);
  const rootLine = lines.file.no[lines.first]!;
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
  const value = reader.node(lines.file.indent[lines.first]!);
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

/** The first line of a node, and where its content starts: a `- key: value` item's mapping starts after the dash. */
interface NodeAt {
  readonly at: number;
  readonly indent: number;
  readonly start: number;
}

function nodeAt(file: FileLines, at: number): NodeAt {
  return { at, indent: file.indent[at]!, start: file.start[at]! };
}

/** Same answer as lineOf on the tables of a second reading, from the lines alone (the document read as plain). */
function walkTo(lines: DocLines, path: FieldPath): number {
  const { text, end } = lines.file;
  let node: NodeAt | null = nodeAt(lines.file, lines.first);
  let line = lines.file.no[lines.first]!;
  for (const seg of path) {
    if (node === null) break;
    const found: { line: number; node: NodeAt | null } | null = isItemAt(text, node.start, end[node.at]!)
      ? itemOf(lines, node, seg)
      : keyOf(lines, node, String(seg));
    if (found === null) break;
    ({ line, node } = found);
  }
  return line;
}

function keyOf(lines: DocLines, map: NodeAt, key: string): { line: number; node: NodeAt | null } | null {
  const { text, no, indent, start, end } = lines.file;
  const isItem = (at: number) => isItemAt(text, start[at]!, end[at]!);
  let at = map.at;
  let s = map.start;
  for (;;) {
    const colon = keyEndAt(text, s, end[at]!);
    if (keyAt(text, s, colon) === key) {
      const empty = isEmptyValue(text, skipSpaces(text, colon + 1, end[at]!), end[at]!);
      const next = at + 1;
      // As BlockReader.value: the block below, or a list at the key's own indent.
      const below = next < lines.last && (indent[next]! > map.indent || (indent[next] === map.indent && isItem(next)));
      return { line: no[at]!, node: empty && below ? nodeAt(lines.file, next) : null };
    }
    // Past this key's value: deeper lines, and a list at the key's own indent (only an empty value has one).
    at++;
    while (at < lines.last && (indent[at]! > map.indent || (indent[at] === map.indent && isItem(at)))) at++;
    if (at >= lines.last || indent[at] !== map.indent) return null;
    s = start[at]!;
  }
}

function itemOf(lines: DocLines, list: NodeAt, seg: string | number): { line: number; node: NodeAt | null } | null {
  if (typeof seg !== 'number') return null;
  const { text, no, indent, start, end } = lines.file;
  let at = list.at;
  for (let n = 0; ; n++) {
    if (n === seg) {
      const s = start[at]!;
      const rest = skipSpaces(text, s + 1, end[at]!);
      // As BlockReader.list: a block below the dash, a mapping after it, or a scalar.
      if (isEmptyValue(text, rest, end[at]!)) return { line: no[at + 1]!, node: nodeAt(lines.file, at + 1) };
      if (hasKeyAt(text, rest, end[at]!))
        return { line: no[at]!, node: { at, indent: list.indent + rest - s, start: rest } };
      return { line: no[at]!, node: null };
    }
    at++;
    while (at < lines.last && indent[at]! > list.indent) at++;
    if (at >= lines.last || indent[at] !== list.indent || !isItemAt(text, start[at]!, end[at]!)) return null;
  }
}

class BlockReader {
  private at: number;
  private readonly last: number;
  private readonly text: string;
  private readonly no: Int32Array;
  private readonly indents: Int32Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** The line at `at` read as `- key: value` from after the `- ` (-1: from its start), at its own indent. */
  private innerStart = -1;
  private innerIndent = 0;

  constructor(
    lines: DocLines,
    private readonly tables: Map<object, Lines> | null,
  ) {
    this.at = lines.first;
    this.last = lines.last;
    ({ text: this.text, no: this.no, indent: this.indents, start: this.starts, end: this.ends } = lines.file);
  }

  done(): boolean {
    return this.at === this.last;
  }

  /** Indent of the current line; -1 past the document's end. */
  private indent(): number {
    if (this.at === this.last) return -1;
    return this.innerStart < 0 ? this.indents[this.at]! : this.innerIndent;
  }

  private start(): number {
    return this.innerStart < 0 ? this.starts[this.at]! : this.innerStart;
  }

  private isItem(): boolean {
    return isItemAt(this.text, this.start(), this.ends[this.at]!);
  }

  private next(): void {
    this.at++;
    this.innerStart = -1;
  }

  node(indent: number): unknown {
    return this.isItem() ? this.list(indent) : this.map(indent);
  }

  private map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const lines = this.tables ? new Map<string, number>() : null;
    if (lines) this.tables?.set(out, lines);
    while (this.indent() === indent && !this.isItem()) {
      const s = this.start();
      const e = this.ends[this.at]!;
      const colon = keyEndAt(this.text, s, e);
      const key = keyAt(this.text, s, colon);
      if (Object.hasOwn(out, key) || key === '__proto__') throw new NotPlain();
      lines?.set(key, this.no[this.at]!);
      this.next();
      out[key] = this.value(skipSpaces(this.text, colon + 1, e), e, indent, true);
    }
    if (this.indent() > indent) throw new NotPlain();
    return out;
  }

  private list(indent: number): unknown[] {
    const out: unknown[] = [];
    const lines: number[] | null = this.tables ? [] : null;
    if (lines) this.tables?.set(out, lines);
    while (this.indent() === indent && this.isItem()) {
      const s = this.start();
      const e = this.ends[this.at]!;
      const no = this.no[this.at]!;
      const rest = skipSpaces(this.text, s + 1, e);
      if (isEmptyValue(this.text, rest, e)) {
        this.next();
        const inner = this.indent();
        if (inner <= indent) throw new NotPlain();
        lines?.push(this.no[this.at]!);
        out.push(this.node(inner));
      } else if (isItemAt(this.text, rest, e)) {
        throw new NotPlain();
      } else if (hasKeyAt(this.text, rest, e)) {
        // `- key: value` opens a mapping whose keys line up with this first one.
        this.innerIndent = indent + rest - s;
        this.innerStart = rest;
        lines?.push(no);
        out.push(this.map(this.innerIndent));
      } else {
        this.next();
        lines?.push(no);
        out.push(this.value(rest, e, indent, false));
      }
    }
    if (this.indent() > indent) throw new NotPlain();
    return out;
  }

  /** The value `s..e` after `key:` or `- `; an empty one is the nested block below, if any. */
  private value(s: number, e: number, indent: number, inMap: boolean): unknown {
    if (!isEmptyValue(this.text, s, e)) return scalarAt(this.text, s, e);
    const next = this.indent();
    if (next > indent) return this.node(next);
    // A list may sit at its key's own indent (`ports:` then `- port: 80`).
    if (inMap && next === indent && this.isItem()) return this.list(indent);
    return null;
  }
}
