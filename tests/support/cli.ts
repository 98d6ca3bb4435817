import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
export const EXAMPLE_REPO = join(ROOT, 'examples/repo');

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `gitwire <args>` in a child process, as a user would. Asynchronous, so
 * that servers running inside the test process keep answering meanwhile.
 * With `netns`, runs it as `ip netns exec NETNS gitwire <args>`.
 */
export function gitwire(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; netns?: string } = {},
): Promise<CliResult> {
  const command = [process.execPath, '--import', 'tsx', join(ROOT, 'tests/support/run-cli.ts'), ...args];
  if (opts.netns !== undefined) command.unshift('ip', 'netns', 'exec', opts.netns);
  return run(command, opts);
}

/** Runs the installed bin (`bin/gitwire.js`, the bundled CLI) as a user types it. */
export function gitwireBin(args: readonly string[]): Promise<CliResult> {
  return run([process.execPath, join(ROOT, 'bin/gitwire.js'), ...args]);
}

function run(command: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/** The example configuration's declaration files as a commit spec (path → content). */
export function exampleFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out[relative(EXAMPLE_REPO, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(EXAMPLE_REPO);
  return out;
}

export function copyExampleRepo(dest: string): void {
  cpSync(EXAMPLE_REPO, dest, { recursive: true });
}
