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
});
