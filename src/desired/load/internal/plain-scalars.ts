/**
 * The pieces of one line that the plain YAML reader reads: keys and scalars,
 * found by offsets into the file's text, so a line costs no string of its own
 * and a number or a boolean no string at all.
 */

/** Thrown inside the reader when the text leaves the subset; caught in readPlainYaml. */
export class NotPlain extends Error {}

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DQUOTE = 34;
const SQUOTE = 39;

// Every number of the YAML 1.2 core schema (yaml's own tests, merged); only decimals are read here.
const NUMBERISH =
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
const NULLS = ['~', 'null', 'Null', 'NULL'];
const TRUES = ['true', 'True', 'TRUE'];
const FALSES = ['false', 'False', 'FALSE'];
const KEY = /^[A-Za-z0-9_./-][A-Za-z0-9_./:-]*$/;
const QUOTED_KEY = /^("[^"\\]*"|'[^']*') *:( |$)/;

/** Characters of a plain scalar after its first: [A-Za-z0-9 _./:=@+~()*-]. */
const PLAIN_REST = alphanumericsAnd(' _./:=@+~()*-');
/** Its first character: [A-Za-z0-9_/], or - and . when a word character follows. */
const PLAIN_FIRST = alphanumericsAnd('_/');

function alphanumericsAnd(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789' + chars) t[c.charCodeAt(0)] = 1;
  return t;
}

function isWord(c: number): boolean {
  return c < 128 && PLAIN_FIRST[c] === 1 && c !== 47;
}

/** `-` alone or `- …`: a list item. */
export function isItemAt(text: string, s: number, e: number): boolean {
  return text.charCodeAt(s) === 45 && (s + 1 === e || text.charCodeAt(s + 1) === SPACE);
}

export function skipSpaces(text: string, s: number, e: number): number {
  while (s < e && text.charCodeAt(s) === SPACE) s++;
  return s;
}

/** Whether `s..e` opens with `key:` (then a space or the end), as a `- key: value` item does. */
export function hasKeyAt(text: string, s: number, e: number): boolean {
  const c = text.charCodeAt(s);
  if (c === DQUOTE || c === SQUOTE) return QUOTED_KEY.test(text.slice(s, e));
  if (c === 123 || c === 91) return false;
  for (let i = s; i < e; i++) {
    const d = text.charCodeAt(i);
    if (d === SPACE || d === HASH) return false;
    if (d === COLON && (i + 1 === e || text.charCodeAt(i + 1) === SPACE)) return true;
  }
  return false;
}

/** Offset of the colon that ends the key of the mapping line `s..e`. */
export function keyEndAt(text: string, s: number, e: number): number {
  const c = text.charCodeAt(s);
  if (c === DQUOTE || c === SQUOTE) {
    const quoted = QUOTED_KEY.exec(text.slice(s, e));
    if (quoted) return s + quoted[0].trimEnd().length - 1;
  }
  // The first colon followed by a space or the end of the line.
  for (let i = s; i < e; i++)
    if (text.charCodeAt(i) === COLON && (i + 1 === e || text.charCodeAt(i + 1) === SPACE)) return i;
  throw new NotPlain();
}

/**
 * Manifests repeat a few dozen keys many times over: each is checked once and
 * found again by a hash of its characters, without cutting it out of the text.
 */
class KeyTable {
  private readonly raw: string[] = [];
  private readonly read: string[] = [];
  private readonly slots = new Map<number, number[]>();
  private static readonly MAX = 10_000;

  key(text: string, s: number, e: number): string {
    let h = e - s;
    for (let i = s; i < e; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
    const slot = this.slots.get(h);
    if (slot)
      for (const n of slot) if (this.raw[n]!.length === e - s && text.startsWith(this.raw[n]!, s)) return this.read[n]!;
    const raw = text.slice(s, e);
    const read = checkKey(raw);
    if (this.raw.length >= KeyTable.MAX) this.clear();
    this.slots.set(h, [...(this.slots.get(h) ?? []), this.raw.length]);
    this.raw.push(raw);
    this.read.push(read);
    return read;
  }

  private clear(): void {
    this.raw.length = 0;
    this.read.length = 0;
    this.slots.clear();
  }
}

const KEYS = new KeyTable();

/** The key `s..e` (up to its colon) as read: quotes taken off; anything but a simple name is not plain. */
export function keyAt(text: string, s: number, e: number): string {
  return KEYS.key(text, s, e);
}

function checkKey(raw: string): string {
  const key = raw.trimEnd();
  if (key.length > 1000) throw new NotPlain();
  if (/^"[^"\\]*"$|^'[^']*'$/.test(key)) return key.slice(1, -1);
  if (!KEY.test(key) || NUMBERISH.test(key) || NULLS.includes(key) || TRUES.includes(key) || FALSES.includes(key))
    throw new NotPlain();
  return key;
}

/** Whether the value `s..e` (spaces skipped) is empty or only a comment: then a nested block may follow. */
export function isEmptyValue(text: string, s: number, e: number): boolean {
  return s === e || text.charCodeAt(s) === HASH;
}

/** The scalar `s..e` (not empty, spaces before it skipped), its comment left out. */
export function scalarAt(text: string, s: number, e: number): unknown {
  const c = text.charCodeAt(s);
  if (c === DQUOTE || c === SQUOTE) return quotedAt(text, s, e, c);
  const end = bodyEnd(text, s, e);
  const len = end - s;
  if (len === 2 && (text.startsWith('{}', s) || text.startsWith('[]', s))) return c === 123 ? {} : [];
  // Only these can start a null, a boolean or a number of the core schema.
  if ((c === 126 || c === 110 || c === 78) && oneOf(text, s, len, NULLS)) return null;
  if ((c === 116 || c === 84) && oneOf(text, s, len, TRUES)) return true;
  if ((c === 102 || c === 70) && oneOf(text, s, len, FALSES)) return false;
  const numberish = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (numberish) {
    const n = decimalAt(text, s, end);
    if (n !== null) return n;
  }
  const value = text.slice(s, end);
  if ((numberish && NUMBERISH.test(value)) || !plainAt(text, s, end)) throw new NotPlain();
  return value;
}

function oneOf(text: string, s: number, len: number, words: readonly string[]): boolean {
  for (const w of words) if (w.length === len && text.startsWith(w, s)) return true;
  return false;
}

/** A quoted scalar: no escapes, nothing after it but spaces or a comment. */
function quotedAt(text: string, s: number, e: number, quote: number): string {
  let q = s + 1;
  for (; q < e; q++) {
    const d = text.charCodeAt(q);
    if (d === quote) break;
    if (d === 92 && quote === DQUOTE) throw new NotPlain();
  }
  if (q >= e) throw new NotPlain();
  const after = skipSpaces(text, q + 1, e);
  if (after < e && !(after > q + 1 && text.charCodeAt(after) === HASH)) throw new NotPlain();
  return text.slice(s + 1, q);
}

/** Where a plain scalar ends: before ` #`; any other `#` is not plain. */
function bodyEnd(text: string, s: number, e: number): number {
  for (let i = s; i < e; i++) {
    if (text.charCodeAt(i) !== HASH) continue;
    if (text.charCodeAt(i - 1) !== SPACE) throw new NotPlain();
    let end = i - 1;
    while (end > s && text.charCodeAt(end - 1) === SPACE) end--;
    return end;
  }
  return e;
}

/** -?(0|[1-9][0-9]{0,14}), not -0: read as a number; anything else null. */
function decimalAt(text: string, s: number, e: number): number | null {
  const negative = text.charCodeAt(s) === 45;
  const from = negative ? s + 1 : s;
  const digits = e - from;
  if (digits < 1 || digits > 15 || (digits > 1 && text.charCodeAt(from) === 48)) return null;
  let n = 0;
  for (let i = from; i < e; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  if (negative && n === 0) return null;
  return negative ? -n : n;
}

/** A plain scalar of the subset: its characters, and no `: ` inside (that would be a mapping). */
function plainAt(text: string, s: number, e: number): boolean {
  const c = text.charCodeAt(s);
  if (!(c < 128 && PLAIN_FIRST[c] === 1)) {
    if (!((c === 45 || c === 46) && s + 1 < e && isWord(text.charCodeAt(s + 1)))) return false;
  }
  for (let i = s + 1; i < e; i++) {
    const d = text.charCodeAt(i);
    if (!(d < 128 && PLAIN_REST[d] === 1)) return false;
    if (d === COLON && (i + 1 === e || text.charCodeAt(i + 1) === SPACE)) return false;
  }
  return true;
}
