import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateTree } from '../../desired/load-model.js';
import type { RepoFile } from '../../desired/source/repo-tree.js';
import { isGenerated } from '../generated-header.js';
import { constructAt } from '../synthesized-file.js';
import { SynthValidationError, type SynthDiagnostic } from '../synth-validation-error.js';
import type { RenderedFile } from './render-files.js';
import { isYamlPath, walkFiles } from './walk-files.js';

/**
 * Validates the app's output as `gitwire validate` would see the commit: merged
 * with the repository's hand-written YAML (generated files are replaced by the
 * new output). Throws SynthValidationError on any error; returns the warnings.
 */
export function validateSynthesized(files: readonly RenderedFile[], repoRoot: string | null): SynthDiagnostic[] {
  const produced = new Map(files.map((f) => [f.path, f]));
  const encoder = new TextEncoder();
  const tree: RepoFile[] = files
    .filter((f) => isYamlPath(f.path))
    .map((f) => ({ path: f.path, content: encoder.encode(f.text) }));
  for (const path of repoRoot ? walkFiles(repoRoot, isYamlPath) : []) {
    if (produced.has(path)) continue;
    const content = readFileSync(join(repoRoot as string, path));
    if (!isGenerated(content.subarray(0, 64).toString('utf8'))) tree.push({ path, content });
  }
  const { diagnostics } = validateTree({ revision: null, ref: repoRoot ?? 'synthesized manifests', files: tree });
  const located = diagnostics.map((d): SynthDiagnostic => {
    const file = produced.get(d.file);
    return { ...d, constructPath: file ? constructAt(file, d.line) : null };
  });
  if (located.some((d) => d.severity === 'error')) throw new SynthValidationError(located);
  return located;
}
