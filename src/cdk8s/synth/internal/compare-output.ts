import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGenerated } from '../../generated-header.js';
import { walkFiles } from '../../internal/walk-files.js';
import type { SynthFileStatus } from '../synth-report.js';

export interface Comparison {
  readonly path: string;
  readonly status: SynthFileStatus;
  /** The app's new content; null for a file the app no longer produces. */
  readonly content: Buffer | null;
}

function readHead(path: string): string {
  return readFileSync(path).subarray(0, 64).toString('utf8');
}

/**
 * Compares what the app produced with the output folder. A committed file is
 * the app's when it carries the generated-file marker; such a file that the
 * app no longer produces is `removed`.
 */
export function compareOutput(producedDir: string, outDir: string, existing: (path: string) => boolean): Comparison[] {
  const produced = walkFiles(producedDir);
  const out: Comparison[] = produced.map((path) => {
    const content = readFileSync(join(producedDir, path));
    if (!existing(path)) return { path, status: 'added', content };
    return { path, status: content.equals(readFileSync(join(outDir, path))) ? 'unchanged' : 'changed', content };
  });
  const producedSet = new Set(produced);
  for (const path of walkFiles(outDir, (p) => !producedSet.has(p))) {
    if (isGenerated(readHead(join(outDir, path)))) out.push({ path, status: 'removed', content: null });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
