import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/desired/diagnostics.js';
import { gitwire } from '../support/cli.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

describe('validation output quotes the repository without letting it act on the terminal', () => {
  const dir = makeTempDir('gitwire-escape-');
  afterAll(() => removeDir(dir));

  it('formats a diagnostic whose file, path and message hold escape sequences as one visible line', () => {
    const line = formatDiagnostic({
      severity: 'error',
      code: 'E_TEST',
      file: 'policies/\u001b[2Jevil.yaml',
      line: 3,
      path: 'metadata.labels.a\u009b1m',
      message: 'bad value "\u202eyxes"\nsecond line',
    });
    expect(line).toBe('policies/\\x1b[2Jevil.yaml:3: metadata.labels.a\\x9b1m: bad value "\\u202eyxes"\\nsecond line');
  });

  it('gitwire validate names a file called with an escape sequence, spelled out', async () => {
    mkdirSync(join(dir, 'endpoints'));
    const name = join(dir, 'endpoints', 'ep\u001b[2J.yaml');
    writeFileSync(name, 'apiVersion: gitwire.io/v1alpha1\nkind: Endpoint\nmetadata:\n  name: Bad\nspec:\n  node: n1\n');
    const r = await gitwire(['validate', '--repo', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('endpoints/ep\\x1b[2J.yaml:4:');
    expect(r.stderr).not.toContain('\u001b');
  });
});
