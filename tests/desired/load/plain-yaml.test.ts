import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Composer, LineCounter, Parser } from 'yaml';
import type { FieldPath } from '../../../src/desired/load/field-path.js';
import { readPlainYaml } from '../../../src/desired/load/internal/plain-yaml.js';
import { YamlLocator } from '../../../src/desired/load/internal/yaml-locator.js';
import { mulberry32 } from '../../support/seeded-random.js';

const root = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
// Cilium's corpus sits beside the repository, in ../shared; a clone without it skips that one test.
const CORPUS = root('../../../../shared/conformance/cilium');
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });

/** What the full parser makes of a text: every document's value, first line and locator. */
function full(text: string) {
  const counter = new LineCounter();
  const composer = new Composer({ uniqueKeys: true, strict: true, prettyErrors: false });
  return [...composer.compose(new Parser(counter.addNewLine).parse(text))].map((doc) => ({
    ok: doc.errors.length === 0 && doc.warnings.length === 0,
    value: doc.toJS() as unknown,
    line: counter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line,
    locator: new YamlLocator(doc, counter),
  }));
}

/** Every key and index path of a value, plus one missing field under each. */
function paths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [prefix, [...prefix, 'missing']];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** Checks that, when the plain reader takes a text, it reads exactly what the full parser reads. */
function agrees(text: string): boolean {
  const plain = readPlainYaml(text);
  if (!plain) return false;
  const docs = full(text);
  expect(plain.count).toBe(docs.length);
  expect(plain.documents.map((d) => d.index)).toEqual(docs.flatMap((d, i) => (d.value === null ? [] : [i])));
  for (const d of plain.documents) {
    const f = docs[d.index]!;
    expect(f.ok).toBe(true);
    expect(d.value).toStrictEqual(f.value);
    expect(d.line).toBe(f.line);
    for (const p of paths(d.value)) expect([p, d.lineOf(p)]).toEqual([p, f.locator.lineOf(p)]);
  }
  // A document answers its first few questions by walking its lines, later ones from tables: each path asked first, too.
  plain.documents.forEach((d, i) => {
    const f = docs[d.index]!;
    for (const p of paths(d.value))
      expect([p, readPlainYaml(text)!.documents[i]!.lineOf(p)]).toEqual([p, f.locator.lineOf(p)]);
  });
  return true;
}

const TAKEN = [
  '',
  '# only a comment\n',
  'a: 1\n---\n',
  '---\n---\n',
  '# c\n---\na: 1\n',
  'a: 1\n---  # x\nb: 2\n',
  'a:\n- x\n- y\nb: 1\n',
  'a:\n  - x\n  -\n    b: 2\n',
  '- a: 1\n  b: 2\n-   c: 3\n    d: [] # e\n',
  'k8s:io.kubernetes.pod.namespace: ns-1\n"q": \'v\'\n',
  'a: x:y\nb: 10.0.0.0/8\nc: 1.2.3.4\nd: a b  c\ne: x # y\nf: "" \ng: {}\n',
  'a: 1\nb: -2\nc: 0\nd: 123456789012345\n',
  'a: yes\nb: on\nc: True\nd: NULL\ne: ~\nf: Null\ng:\ni: .foo\nj: -x\nk: FALSE\n',
  'path: /api/.*\nb: a*b *c\n',
];

// Numbers other than plain decimals, and everything outside the plain block style.
const REFUSED = [
  'a: 007\n',
  'a: 0x1F\n',
  'a: 0o17\n',
  'a: 1e3\n',
  'a: .5\n',
  'a: -0\n',
  'a: +5\n',
  'a: 1.5\n',
  'a: 1.\n',
  'a: 1234567890123456\n',
  'a: .inf\n',
  'a: -.Inf\n',
  'a: .NaN\n',
  'a: -\n',
  'a: - x\n',
  'a: b\n c\n',
  'a: 1\na: 2\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: |\n  text\n',
  'a: [1, 2]\n',
  'a: "x\\ty"\n',
  "a: 'it''s'\n",
  'a:\tb\n',
  'a: x#y\n',
  'a: "x"#y\n',
  '__proto__: 1\n',
  '80: http\n',
  'a:\n  b: 1\n c: 2\n',
  '- - x\n',
  'a: b: c\n',
  '? a\n: b\n',
  '...\n',
  '--- a: 1\n',
  'key with space: 1\n',
  'a:\n  - b\n  c: 1\n',
  '-\n- a\n',
  'a: 1\r\n',
  '%YAML 1.2\n---\na: 1\n',
];

describe('reading plain block YAML without the full parser', () => {
  it.each(TAKEN)('reads %j exactly as the full parser does', (text) => {
    expect(agrees(text)).toBe(true);
  });

  it.each(REFUSED)('leaves %j to the full parser', (text) => {
    expect(readPlainYaml(text)).toBeNull();
  });

  it('reads the repository examples and fixtures exactly as the full parser does', () => {
    const files = [...walk(root('../../../examples')), ...walk(root('../../fixtures'))];
    const taken = files.filter((f) => agrees(readFileSync(f, 'utf8')));
    expect(files.length).toBeGreaterThanOrEqual(20);
    // Most real manifests are plain block YAML; the rest (flow lists, block scalars) go to the full parser.
    expect(taken.length).toBeGreaterThan(files.length / 3);
  });

  it('reads the Cilium corpus exactly as the full parser does', (ctx) => {
    if (!existsSync(CORPUS)) ctx.skip(`the corpus is missing (${CORPUS}); a clone without ../shared has none`);
    const files = walk(CORPUS);
    const taken = files.filter((f) => agrees(readFileSync(f, 'utf8')));
    expect(files.length).toBeGreaterThan(20);
    expect(taken.length).toBeGreaterThan(files.length / 3);
  });

  it('takes manifests written the way gitwire synth and the examples write them', () => {
    const text =
      'apiVersion: gitwire.io/v1alpha1\nkind: Service\nmetadata:\n  name: svc-1\n  namespace: ns-1\n' +
      'spec:\n  clusterIP: 10.96.0.1\n  ports:\n    - port: 80\n      targetPort: http\n  backends:\n' +
      '    - address: 172.16.0.1\n      port: 8080\n  algorithm: maglev\n';
    expect(agrees(`${text}---\n${text.replace('svc-1', 'svc-2')}`)).toBe(true);
  });
});

/** Picks in [0, n), the same on every run. */
function seeded(seed: number): (n: number) => number {
  const next = mulberry32(seed);
  return (n) => Math.floor(next() * n);
}

// Scalars and keys the subset takes, and ones near its edges: numbers of every form, quotes, colons, hashes.
const SCALARS = [
  '80',
  '-3',
  '0',
  '10.0.0.0/8',
  '172.16.0.1',
  'a b  c',
  'x:y',
  '"q"',
  "'q'",
  '"a # b"',
  '{}',
  '[]',
  'true',
  'null',
];
const ODD_SCALARS = [
  '007',
  '1.5',
  '1e3',
  '0x1F',
  '-0',
  '+5',
  '.inf',
  'x: y',
  'x #c',
  'x#y',
  '"q" # c',
  '"q"#c',
  "'it''s'",
  '"x\\y"',
  '[1]',
  'True',
  'yes',
  '~',
  'NULL',
  '-x',
  '-',
  '.foo',
  '/api/.*',
  'a*b',
  '*a',
  '&a x',
  '!t x',
  'é',
  '| x',
  '',
  '# only',
  '1234567890123456',
  '123456789012345',
];
const KEYS_ = ['a', 'port', 'k8s:io.x', 'x.y/z', '"q"'];
const ODD_KEYS = ["'s'", '80', 'true', 'a b', '__proto__', 'toString', '-k', 'a:b'];

/** A random block-style text: nested mappings and lists, item mappings, comments, markers, odd spacing. */
function randomYaml(pick: (n: number) => number): string {
  const lines: string[] = [];
  const block = (indent: number, depth: number): void => {
    const pad = ' '.repeat(indent);
    const asList = pick(3) === 0;
    for (let i = 0, n = 1 + pick(3); i < n; i++) {
      const nested = depth < 3 && pick(3) === 0;
      const odd = pick(10) === 0;
      const key = odd && pick(2) ? ODD_KEYS[pick(ODD_KEYS.length)]! : KEYS_[pick(KEYS_.length)]!;
      const value = odd ? ODD_SCALARS[pick(ODD_SCALARS.length)]! : SCALARS[pick(SCALARS.length)]!;
      const trail = [' ', '  # c', '', '', ''][pick(5)]!;
      if (pick(12) === 0) lines.push(pick(2) ? '' : `${pad}# comment`);
      if (asList) {
        if (nested && pick(2)) {
          lines.push(`${pad}- ${key}:${trail}`);
          block(indent + 2 + pick(3), depth + 1);
        } else if (nested) {
          lines.push(`${pad}-${trail}`);
          block(indent + 1 + pick(3), depth + 1);
        } else lines.push(`${pad}- ${pick(2) ? `${key}: ` : ''}${value}${trail}`);
      } else if (nested) {
        lines.push(`${pad}${key}:${trail}`);
        block(pick(4) === 0 ? indent : indent + 1 + pick(3), depth + 1);
      } else lines.push(`${pad}${key}: ${value}${trail}`);
    }
  };
  for (let d = 0, n = 1 + pick(2); d < n; d++) {
    if (d > 0 || pick(3) === 0) lines.push(['---', '--- # doc', '---  '][pick(3)]!);
    block(0, 0);
  }
  return lines.join('\n') + (pick(4) ? '\n' : '');
}

describe('random texts near the edges of the subset', () => {
  it('are read exactly as the full parser reads them, or left to it', () => {
    const pick = seeded(10);
    let taken = 0;
    for (let i = 0; i < 3000; i++) if (agrees(randomYaml(pick))) taken++;
    // Both ways are exercised: plenty taken, plenty refused.
    expect(taken).toBeGreaterThan(750);
    expect(taken).toBeLessThan(2250);
  });
});
