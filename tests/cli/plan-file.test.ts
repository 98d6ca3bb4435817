import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFiles, gitwire } from '../support/cli.js';
import { makeRepo, makeTempDir, removeDir } from '../support/git-fixtures.js';

// Every endpoint open to the whole cluster on 320 ports (Cilium takes 40 per
// toPorts entry): tens of thousands of policy entries, a plan far larger than
// a pull-request comment.
const toPorts = Array.from({ length: 8 }, (_, t) => {
  const ports = Array.from(
    { length: 40 },
    (_, i) => `            - port: "${2000 + 40 * t + i}"\n              protocol: TCP`,
  );
  return `        - ports:\n${ports.join('\n')}`;
});
const widePolicy = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: wide-open
spec:
  endpointSelector: {}
  ingress:
    - fromEntities:
        - cluster
      toPorts:
${toPorts.join('\n')}
`;

let dir: string;
let repo: string;

beforeAll(() => {
  dir = makeTempDir('gitwire-plan-file-');
  repo = join(dir, 'config');
  makeRepo(repo, [{ ...exampleFiles(), 'policies/wide-open.yaml': widePolicy }]);
});

afterAll(() => removeDir(dir));

describe('gitwire plan --plan-file', () => {
  it('keeps the Markdown report within a pull-request comment and writes the full plan to the file', async () => {
    const file = join(dir, 'plan.md');
    const r = await gitwire(['plan', '--repo', repo, '--all-nodes', '-o', 'markdown', '--plan-file', file]);
    expect(r.stderr).not.toMatch(/gitwire: /);
    expect(r.stdout.length).toBeLessThanOrEqual(65_536);
    expect(r.stdout).toContain(`the full plan is in <code>${file}</code>`);
    expect(r.stdout).toMatch(/\| wide-open \(policies\/wide-open\.yaml\) \| \d{4,} \| 0 \| 0 \|/);
    const full = readFileSync(file, 'utf8');
    expect(full.length).toBeGreaterThan(65_536);
    expect(full).not.toContain('too large for one comment');
    expect(full).toContain(
      '+ default/deathstar-1 ← default/tiefighter TCP/2319 allow (wide-open, policies/wide-open.yaml:8)',
    );
  });

  it('writes the full plan in the chosen format, JSON with keys and names', async () => {
    const file = join(dir, 'plan.json');
    const r = await gitwire(['plan', '--repo', repo, '--node', 'node-1', '-o', 'json', '--plan-file', file]);
    expect(r.stderr).not.toMatch(/gitwire: /);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { changes: { key: string; name?: string }[] };
    expect(written).toEqual(JSON.parse(r.stdout));
    expect(written.changes).toContainEqual(
      expect.objectContaining({
        name: 'default/deathstar-1 ← default/tiefighter TCP/80 allow (default/rule1, policies/starwars/deathstar-l3-l4.yaml:15)',
      }),
    );
  });
});
