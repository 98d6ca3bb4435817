import { Option, type Command } from 'commander';
import type { SourceOptions } from '../desired/index.js';

/** The repository gitwire reads when none is given: the example configuration shipped with it. */
export const DEFAULT_REPO = new URL('../../examples/repo', import.meta.url).pathname;

export type OutputFormat = 'text' | 'json' | 'markdown';

export function repoOption(cmd: Command): Command {
  return cmd.option(
    '--repo <path|url>',
    'configuration repository: an http(s) URL, a local git repository or a plain directory',
    DEFAULT_REPO,
  );
}

export function outputOption(cmd: Command, formats: readonly OutputFormat[] = ['text', 'json']): Command {
  return cmd.addOption(
    new Option('-o, --output <format>', 'output format (the first is the default)')
      .choices(formats)
      .default(formats[0]),
  );
}

/** Credentials for HTTP repositories come from the environment, never from the command line. */
export function sourceOptions(rev: string | undefined): SourceOptions {
  const token = process.env.GITWIRE_GIT_TOKEN;
  const username = process.env.GITWIRE_GIT_USERNAME;
  const password = process.env.GITWIRE_GIT_PASSWORD;
  const auth = token ? { token } : username ? { username, password: password ?? '' } : undefined;
  return { ...(rev ? { rev } : {}), ...(auth ? { auth } : {}) };
}
