import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main.js';
import { copyExampleRepo, EXAMPLE_REPO, gitwire, gitwireBin } from '../support/cli.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

// bin/gitwire.js, as users run it: the bundles `npm run build` (and setup.sh) write to dist/bundle, where
// `validate` and the root help have a bundle of their own and every other command runs from the full one.
const ROOT = new URL('../..', import.meta.url).pathname;

const bin = gitwireBin;

let broken: string;

beforeAll(() => {
  for (const name of ['cli', 'validate'])
    if (!existsSync(join(ROOT, `dist/bundle/${name}.cjs`))) throw new Error('dist/bundle is missing: npm run build');
  broken = makeTempDir('gitwire-bundled-');
  copyExampleRepo(broken);
  // Two faults at once: a field path, a grammar and a cross-document reference all reported.
  writeFileSync(
    join(broken, 'endpoints/extra.yaml'),
    'apiVersion: gitwire.io/v1alpha1\nkind: Endpoint\nmetadata:\n  name: Bad_Name\nspec:\n  node: node-9\n  ports: [{name: http, containerPort: 0}]\n',
  );
  writeFileSync(
    join(broken, 'checks.yaml'),
    'apiVersion: gitwire.io/v1alpha1\nkind: HealthCheck\nmetadata:\n  name: c\nspec:\n  from: {endpoint: nope}\n  to: {address: 10.0.0.1}\n  probe: icmp\n  deadline: 90s\n',
  );
});

afterAll(() => removeDir(broken));

describe('the bundled CLI', () => {
  it('validates as the source does: the same output and exit code, accepted or rejected', async () => {
    for (const args of [
      ['validate', '--repo', EXAMPLE_REPO],
      ['validate', '--repo', broken],
      ['validate', '--repo', broken, '-o', 'json'],
    ]) {
      const [bundled, source] = await Promise.all([bin(args), gitwire(args)]);
      expect(bundled).toEqual(source);
    }
    const rejected = await bin(['validate', '--repo', broken]);
    expect(rejected.status).toBe(2);
    expect(rejected.stderr).toContain('endpoints/extra.yaml:4: metadata.name:');
    expect(rejected.stderr).toContain('checks.yaml:9: spec.deadline: must be at most 60s');
  }, 60_000);

  it('runs every command from the bundle that holds it: its help, by either spelling', async () => {
    const root = await bin(['--help']);
    expect(root.status).toBe(0);
    for (const c of COMMANDS) expect(root.stdout).toContain(`  ${c.name} `);
    for (const c of COMMANDS) {
      for (const args of [
        [c.name, '--help'],
        ['help', c.name],
      ]) {
        const r = await bin(args);
        expect(r.stderr).toBe('');
        expect(r.stdout.startsWith(`Usage: gitwire ${c.name} [options]`)).toBe(true);
      }
    }
  }, 120_000);
});
