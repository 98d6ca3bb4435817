import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { App } from 'cdk8s';
import { renderFiles } from './internal/render-files.js';
import { validateSynthesized } from './internal/validate-synthesized.js';
import { formatSynthDiagnostic, type SynthDiagnostic } from './synth-validation-error.js';
import type { SynthesizedFile } from './synthesized-file.js';

export interface GitwireAppProps {
  /**
   * The configuration repository the output joins; its hand-written YAML is
   * validated together with the output. Default: the working directory, which
   * is the repository when `gitwire synth` runs the app.
   */
  readonly repoRoot?: string;
  /** Where files are written. Default: `$CDK8S_OUTDIR` (set by `gitwire synth`), else `repoRoot`. */
  readonly outdir?: string;
  /** Validate the output as `gitwire validate` would (default true); off for non-gitwire manifests. */
  readonly validate?: boolean;
  /** Quote strings with `'` (default `"`, as cdk8s does); match the repository's formatter so it leaves generated files alone. */
  readonly singleQuote?: boolean;
}

/**
 * A cdk8s app for a gitwire configuration repository: each ManifestFile chart
 * becomes one YAML file at its own path, and `synth()` refuses to write
 * anything when the result would not validate, naming the construct at fault.
 */
export class GitwireApp extends App {
  readonly repoRoot: string;
  private readonly validateOutput: boolean;
  private readonly singleQuote: boolean;

  constructor(props: GitwireAppProps = {}) {
    const repoRoot = resolve(props.repoRoot ?? process.cwd());
    super({ outdir: props.outdir ?? process.env.CDK8S_OUTDIR ?? repoRoot });
    this.repoRoot = repoRoot;
    this.validateOutput = props.validate ?? true;
    this.singleQuote = props.singleQuote ?? false;
  }

  /** Renders and validates every output file without writing; the warnings come back with them. */
  synthFiles(): { files: SynthesizedFile[]; warnings: SynthDiagnostic[] } {
    const files = renderFiles(this, this.singleQuote);
    const warnings = this.validateOutput ? validateSynthesized(files, this.repoRoot) : [];
    return { files, warnings };
  }

  override synth(): void {
    const { files, warnings } = this.synthFiles();
    for (const w of warnings) process.stderr.write(formatSynthDiagnostic(w) + '\n');
    for (const f of files) {
      const target = join(this.outdir, f.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.text);
    }
  }
}
