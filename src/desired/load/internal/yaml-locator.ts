import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { FieldPath } from '../field-path.js';

type Located = { node: Node; line: number };

/**
 * Finds YAML nodes by field path, so that a finding about a parsed value can
 * name the line the user wrote it on. A path that does not fully resolve (a
 * missing field) stops at its deepest existing ancestor.
 */
export class YamlLocator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  lineOfOffset(offset: number): number {
    return Math.max(1, this.lines.linePos(offset).line);
  }

  /** Line of the field at `path`: the key's line for a map entry, the item's line in a list. */
  lineOf(path: FieldPath): number {
    return this.locate(path).line;
  }

  private locate(path: FieldPath): Located {
    const root = this.doc.contents;
    if (!root) return { node: this.doc as unknown as Node, line: this.lineOfOffset(this.doc.range[0]) };
    let current: Located = { node: root, line: this.lineOfOffset(root.range?.[0] ?? 0) };
    for (const seg of path) {
      const next = this.step(this.deref(current.node), seg);
      if (!next) break;
      current = next;
    }
    return current;
  }

  private deref(node: Node): Node {
    let n: unknown = node;
    // A chain of aliases is finite: yaml refuses an alias before its anchor.
    while (isAlias(n)) n = n.resolve(this.doc);
    return (n ?? node) as Node;
  }

  private step(node: Node, seg: string | number): Located | null {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key;
        const keyText = isScalar(key) ? String(key.value) : null;
        if (keyText !== String(seg)) continue;
        const keyStart = isScalar(key) ? key.range?.[0] : undefined;
        const value = pair.value as Node | null;
        const target = value ?? (key as Node);
        return { node: target, line: this.lineOfOffset(keyStart ?? target.range?.[0] ?? 0) };
      }
      return null;
    }
    if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) return null;
      return { node: item, line: this.lineOfOffset(item.range?.[0] ?? 0) };
    }
    return null;
  }

  /** Field path of the innermost node at a source offset (where yaml reported an error). */
  pathAt(offset: number): FieldPath {
    const path: (string | number)[] = [];
    let node: unknown = this.doc.contents;
    for (;;) {
      if (isMap(node)) {
        const pair = node.items.find((p) => {
          const end = (p.value as Node | null)?.range?.[2] ?? (p.key as Node | null)?.range?.[2] ?? -1;
          const start = (p.key as Node | null)?.range?.[0] ?? -1;
          return start <= offset && offset < Math.max(end, start + 1);
        });
        if (!pair) return path;
        const key = pair.key;
        path.push(isScalar(key) ? String(key.value) : '?');
        const keyNode = key as Node | null;
        if (keyNode?.range && offset < keyNode.range[2]) return path;
        node = pair.value;
      } else if (isSeq(node)) {
        const index = node.items.findIndex((n) => {
          const r = (n as Node | null)?.range;
          return r != null && r[0] <= offset && offset < Math.max(r[2], r[0] + 1);
        });
        if (index < 0) return path;
        path.push(index);
        node = node.items[index];
      } else {
        return path;
      }
    }
  }
}
