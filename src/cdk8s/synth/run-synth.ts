import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { compareOutput } from './internal/compare-output.js';
import { runApp } from './internal/run-app.js';
import type { SynthReport } from './synth-report.js';

export interface SynthOptions {
  /** The configuration repository folder; the app runs there. */
  readonly repo: string;
  /** Shell command that runs the cdk8s app, relative to `repo`. */
  readonly app: string;
  /** Where the manifests belong; default `repo`. */
  readonly out?: string;
  /** Compare only: write nothing. */
  readonly check?: boolean;
}

export const DEFAULT_APP = 'npx tsx cdk8s/main.ts';

/**
 * Runs the app into a scratch folder, compares its output with `out`, and
 * (unless checking) writes what changed and deletes generated files the app
 * no longer produces. Hand-written files are never deleted.
 */
export async function runSynth(opts: SynthOptions): Promise<SynthReport> {
  const repo = resolve(opts.repo);
  if (!existsSync(repo) || !statSync(repo).isDirectory()) throw new Error(`--repo ${opts.repo}: not a directory`);
  const out = resolve(opts.out ?? repo);
  const scratch = mkdtempSync(join(tmpdir(), 'gitwire-synth-'));
  try {
    const appOutput = await runApp(opts.app, repo, scratch);
    const files = compareOutput(scratch, out, (p) => existsSync(join(out, p)));
    const upToDate = files.every((f) => f.status === 'unchanged');
    if (!opts.check) {
      for (const f of files) {
        const target = join(out, f.path);
        if (f.content === null) unlinkSync(target);
        else if (f.status !== 'unchanged') {
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, f.content);
        }
      }
    }
    return {
      upToDate,
      written: !opts.check && !upToDate,
      files: files.map(({ path, status }) => ({ path, status })),
      appOutput,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
