import { Option, type Command } from 'commander';
// Modules one by one, not their folders' index: every command loads this file, --help included.
import { DEFAULT_TIMEOUTS, type SourceOptions } from '../desired/source/source-options.js';
import { parseDuration } from '../reconciler/agent/parse-duration.js';

/** The repository gitwire reads when none is given: the example configuration shipped with it. */
export const DEFAULT_REPO = new URL('../../examples/repo', import.meta.url).pathname;

export type OutputFormat = 'text' | 'json' | 'markdown';

export function repoOption(cmd: Command): Command {
  return gitOptions(
    cmd.option(
      '--repo <path|url>',
      'configuration repository: an http(s) URL, a local git repository or a plain directory',
      DEFAULT_REPO,
    ),
  );
}

/** How the git source talks to an HTTP remote, as parsed from the flags `gitOptions` adds. */
export interface GitCliOptions {
  readonly gitTimeout?: string;
  readonly gitConnectTimeout?: string;
  readonly gitIdleTimeout?: string;
  readonly verifySignatures?: 'ssh' | 'openpgp';
  readonly trustedKeys?: string;
}

const seconds = (ms: number) => `${ms / 1000}s`;

/** The flags of every command that reads a repository over HTTP (see docs/git-source.md). */
export function gitOptions(cmd: Command): Command {
  return cmd
    .option(
      '--git-timeout <duration>',
      `longest a fetch may take, all of it (Flux's spec.timeout)`,
      seconds(DEFAULT_TIMEOUTS.totalMs),
    )
    .option('--git-connect-timeout <duration>', 'longest wait for a connection', seconds(DEFAULT_TIMEOUTS.connectMs))
    .option(
      '--git-idle-timeout <duration>',
      'longest silence from the git server while a request is under way',
      seconds(DEFAULT_TIMEOUTS.idleMs),
    )
    .addOption(
      new Option('--verify-signatures <kind>', 'compile only commits signed by a key of --trusted-keys').choices([
        'ssh',
        'openpgp',
      ]),
    )
    .option('--trusted-keys <file>', 'ssh public keys (one a line) or exported OpenPGP public keys');
}

export function outputOption(cmd: Command, formats: readonly OutputFormat[] = ['text', 'json']): Command {
  return cmd.addOption(
    new Option('-o, --output <format>', 'output format (the first is the default)')
      .choices(formats)
      .default(formats[0]),
  );
}

/** Credentials for HTTP repositories come from the environment, never from the command line. */
export function sourceOptions(rev: string | undefined, git: GitCliOptions = {}): SourceOptions {
  const token = process.env.GITWIRE_GIT_TOKEN;
  const username = process.env.GITWIRE_GIT_USERNAME;
  const password = process.env.GITWIRE_GIT_PASSWORD;
  const auth = token ? { token } : username ? { username, password: password ?? '' } : undefined;
  const timeouts = {
    ...(git.gitTimeout ? { totalMs: parseDuration(git.gitTimeout) } : {}),
    ...(git.gitConnectTimeout ? { connectMs: parseDuration(git.gitConnectTimeout) } : {}),
    ...(git.gitIdleTimeout ? { idleMs: parseDuration(git.gitIdleTimeout) } : {}),
  };
  if ((git.verifySignatures === undefined) !== (git.trustedKeys === undefined))
    throw new GitUsageError('--verify-signatures and --trusted-keys go together');
  const verify =
    git.verifySignatures && git.trustedKeys ? { mode: git.verifySignatures, trustedKeys: git.trustedKeys } : undefined;
  return { ...(rev ? { rev } : {}), ...(auth ? { auth } : {}), timeouts, ...(verify ? { verify } : {}) };
}

class GitUsageError extends Error {
  readonly code = 'E_USAGE';
  override readonly name = 'GitUsageError';
}
