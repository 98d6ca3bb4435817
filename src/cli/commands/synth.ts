import { Command } from 'commander';
import { DEFAULT_APP, runSynth, type SynthReport } from '../../cdk8s/synth/index.js';
import { EXIT_CHANGES, EXIT_OK } from '../exit-codes.js';
import { DEFAULT_REPO, outputOption } from '../options.js';

interface SynthOpts {
  repo: string;
  app: string;
  out?: string;
  check?: boolean;
  output: 'text' | 'json';
}

const VERB = { unchanged: 'unchanged', changed: 'update', added: 'create', removed: 'delete' } as const;
const STALE = { unchanged: 'up to date', changed: 'differs', added: 'missing', removed: 'no longer produced' } as const;

export function synthCommand(): Command {
  const cmd = new Command('synth').description(
    "run the configuration repository's cdk8s app and write the manifests it produces; " +
      'with --check, write nothing and exit 1 when the committed manifests are stale',
  );
  cmd
    .option('--repo <dir>', 'configuration repository folder; the app runs there', DEFAULT_REPO)
    .option('--app <command>', 'shell command that runs the cdk8s app, from the repository folder', DEFAULT_APP)
    .option('--out <dir>', 'folder the manifests belong in (default: the repository folder)')
    .option('--check', 'compare only: exit 0 when up to date, 1 when stale');
  outputOption(cmd).action(async (opts: SynthOpts) => {
    const report = await runSynth({
      repo: opts.repo,
      app: opts.app,
      check: opts.check ?? false,
      ...(opts.out ? { out: opts.out } : {}),
    });
    process.stderr.write(report.appOutput);
    if (opts.output === 'json') {
      const { appOutput: _, ...data } = report;
      process.stdout.write(JSON.stringify(data, null, 2) + '\n');
    } else {
      process.stdout.write(opts.check ? checkText(report) : writeText(report));
    }
    process.exitCode = opts.check && !report.upToDate ? EXIT_CHANGES : EXIT_OK;
  });
  return cmd;
}

function checkText(r: SynthReport): string {
  const stale = r.files.filter((f) => f.status !== 'unchanged');
  if (stale.length === 0) return `up to date: ${r.files.length} file(s) match the app\n`;
  const lines = stale.map((f) => `  ${f.path}: ${STALE[f.status]}\n`);
  return `stale: ${stale.length} file(s) differ from what the app produces; run gitwire synth and commit\n${lines.join('')}`;
}

function writeText(r: SynthReport): string {
  const changed = r.files.filter((f) => f.status !== 'unchanged');
  const lines = changed.map((f) => `  ${VERB[f.status]} ${f.path}\n`);
  return `${changed.length} file(s) written, ${r.files.length - changed.length} unchanged\n${lines.join('')}`;
}
