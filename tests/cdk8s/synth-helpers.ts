import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GitwireApp, type SynthesizedFile } from '../../src/cdk8s/index.js';

/** A GitwireApp over an empty repository folder, removed by `dispose`. */
export function emptyRepoApp(validate = true): { app: GitwireApp; dispose: () => void } {
  const repoRoot = mkdtempSync(join(tmpdir(), 'gitwire-cdk8s-test-'));
  const app = new GitwireApp({ repoRoot, outdir: repoRoot, validate });
  return { app, dispose: () => rmSync(repoRoot, { recursive: true, force: true }) };
}

/** The documents of synthesized files, parsed back the way the configuration loader reads them. */
export function parsedDocuments(files: readonly SynthesizedFile[]): unknown[] {
  return files.flatMap((f) => parseAllDocuments(f.text).map((d) => d.toJS() as unknown));
}
