import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_REPO } from './cli.js';
import { makeTempDir } from './git-fixtures.js';

/**
 * A copy of examples/repo whose nodes are named `<prefix>-1` … instead of
 * `node-1` …: endpoint namespaces and pins are named after nodes, so a test
 * run's cluster never meets another run's (or the README demo's). `prepare`
 * adds or edits files first; their `node-N` are renamed too.
 */
export function exampleRepoCopy(prefix: string, prepare?: (dir: string) => void): string {
  const dir = makeTempDir(`gitwire-${prefix}-repo-`);
  cpSync(EXAMPLE_REPO, dir, { recursive: true });
  prepare?.(dir);
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name))
        writeFileSync(p, readFileSync(p, 'utf8').replace(/\bnode-(\d)\b/g, `${prefix}-$1`));
    }
  };
  walk(dir);
  return dir;
}
