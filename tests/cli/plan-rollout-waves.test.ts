import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFiles, gitwire } from '../support/cli.js';
import { makeRepo, makeTempDir, removeDir } from '../support/git-fixtures.js';

let dir: string;
let repo: string;
let commits: string[];

beforeAll(() => {
  dir = makeTempDir('gitwire-plan-waves-');
  repo = join(dir, 'config');
  const base = exampleFiles();
  const rollout =
    '  rollout:\n    waves:\n      - nodes: [node-2]\n      - percent: 100\n    maxUnavailable: 1\n    pause: 30s\n';
  commits = makeRepo(repo, [base, { 'cluster.yaml': base['cluster.yaml']! + rollout }]);
});

afterAll(() => removeDir(dir));

describe('the Markdown plan of a pull request', () => {
  it('shows the waves the commit will go through when the Cluster declares a rollout', async () => {
    const r = await gitwire(['plan', '--repo', repo, '--from', commits[0]!, '--to', commits[1]!, '-o', 'markdown']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('### Rollout\n');
    expect(r.stdout).toContain('in 2 wave(s), a pause of 30 s after each wave;');
    expect(r.stdout).toContain('| 1 | node-2 | 1 |\n| 2 | node-1, node-3 | 1 |\n');
  });

  it('has no rollout section without one, nor in the text plan', async () => {
    const none = await gitwire(['plan', '--repo', repo, '--to', commits[0]!, '-o', 'markdown']);
    expect(none.stdout).not.toContain('### Rollout');
    const text = await gitwire(['plan', '--repo', repo, '--to', commits[1]!]);
    expect(text.stdout).not.toContain('Rollout');
  });
});
