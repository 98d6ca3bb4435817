import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { FieldPath } from '../../../src/desired/load/field-path.js';
import { readYamlFile } from '../../../src/desired/load/read-yaml-file.js';

const limits = { maxFileBytes: 1 << 20, maxDocuments: 100, maxAliasCount: 100 };
const text = `# two endpoints
apiVersion: gitwire.io/v1
kind: Endpoint
metadata:
  name: a
spec:
  ips:
    - 10.0.1.10
---
apiVersion: gitwire.io/v1
kind: Endpoint
metadata:
  name: b
  labels:
    app: web
spec:
  ips:
    - 10.0.1.20
`;
const asked: FieldPath[] = [
  [],
  ['metadata', 'name'],
  ['metadata', 'labels', 'app'],
  ['spec', 'ips', 0],
  ['spec', 'nope'],
];

describe('readYamlFile', () => {
  it('answers lineOf the same after release(), from the text instead of the first reading', () => {
    const read = readYamlFile({ path: 'eps.yaml', content: new TextEncoder().encode(text) }, limits, 100);
    const lines = () => read.documents.map((d) => asked.map((p) => d.lineOf(p)));
    const before = lines();
    expect(before).toEqual([
      [2, 5, 4, 8, 6],
      [10, 13, 15, 18, 16],
    ]);
    read.release();
    expect(lines()).toEqual(before);
    expect(read.documents.map((d) => [d.index, d.line])).toEqual([
      [0, 2],
      [1, 10],
    ]);
  });

  it.each([
    ['the plain reader', text],
    ['the full parser', `${text}flow: [1, 2]\n`],
  ])('lets the parsed values go while a document keeps its lineOf (%s)', async (_, yaml) => {
    // A cache keeps each document's lineOf for years of agent loop, but never its value.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // As validateFiles keeps a file: its documents' places, the value dropped, the reading gone.
    const { values, kept } = (() => {
      const read = readYamlFile({ path: 'eps.yaml', content: new TextEncoder().encode(yaml) }, limits, 100);
      read.release();
      return {
        values: read.documents.map((d) => new WeakRef(d.value as object)),
        kept: read.documents.map((d) => d.lineOf),
      };
    })();
    expect(values.every((v) => v.deref() !== undefined)).toBe(true);
    // WeakRefs are cleared after the job that collected their targets.
    for (let i = 0; i < 5 && values.some((v) => v.deref() !== undefined); i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    expect(values.map((v) => v.deref())).toEqual([undefined, undefined]);
    expect(kept.map((lineOf) => lineOf(['metadata', 'name']))).toEqual([5, 13]);
  });
});
