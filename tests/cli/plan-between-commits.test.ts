import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFiles, gitwire } from '../support/cli.js';
import { makeBare, makeRepo, makeTempDir, removeDir, tagRepo } from '../support/git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';

const RULE1 = 'policies/starwars/deathstar-l3-l4.yaml';

let dir: string;
let repo: string;
let commits: string[];
let server: GitHttpServer;

beforeAll(async () => {
  dir = makeTempDir('gitwire-cli-');
  repo = join(dir, 'config');
  const base = exampleFiles();
  const rule1 = base[RULE1]!;
  commits = makeRepo(repo, [
    base,
    { [RULE1]: rule1.replace('port: "80"', 'port: "8080"') },
    { 'policies/broken.yaml': brokenPolicy },
  ]);
  tagRepo(repo, 'v1', { rev: commits[0] });
  tagRepo(repo, 'v2', { rev: commits[1], message: 'port 8080' });
  makeBare(repo, join(dir, 'config.git'));
  server = await startGitHttpServer({ root: dir });
});

afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

const brokenPolicy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: broken
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingress:
    - toPorts:
        - ports:
            - port: "99999"
              protocol: TCP
`;

describe('gitwire plan between two commits', () => {
  it('shows the changed policy entry and exits 1 with --detailed-exitcode', async () => {
    const r = await gitwire(['plan', '--repo', repo, '--from', commits[0]!, '--to', commits[1]!, '--node', 'node-1']);
    expect(r.stderr).not.toMatch(/gitwire: /);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`(${commits[0]!.slice(0, 12)} → ${commits[1]!.slice(0, 12)})`);
    // Named as the repository names them, the rule by the line of its ingress item.
    const rule = `(default/rule1, ${RULE1}:15)`;
    expect(r.stdout).toContain(`  - default/deathstar-1 ← default/tiefighter TCP/80 allow ${rule}\n`);
    expect(r.stdout).toContain(`  + default/deathstar-1 ← default/tiefighter TCP/8080 allow ${rule}\n`);

    const detailed = await gitwire([
      'plan',
      '--repo',
      repo,
      '--from',
      commits[0]!,
      '--to',
      commits[1]!,
      '--node',
      'node-1',
      '--detailed-exitcode',
    ]);
    expect(detailed.status).toBe(1);
  });

  it('reports no changes and exits 0 between identical revisions, once for all nodes', async () => {
    const args = ['plan', '--repo', repo, '--from', commits[1]!, '--to', commits[1]!, '--all-nodes'];
    const r = await gitwire([...args, '--detailed-exitcode']);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/No changes\./g)).toHaveLength(1);
    expect(r.stdout).toContain('gitwire plan for node node-1 ');
    expect(r.stdout).toContain('\nnode-2, node-3: same as node-1\n');

    const md = await gitwire([...args, '-o', 'markdown']);
    expect(md.stdout.match(/^### node-\d+/gm)).toEqual(['### node-1']);
    expect(md.stdout).toContain('### Same plan\n\n- node-2, node-3: same as node-1\n');

    const json = JSON.parse((await gitwire([...args, '-o', 'json'])).stdout) as { node: string; sameAs?: string }[];
    expect(json.map((s) => [s.node, s.sameAs])).toEqual([
      ['node-1', undefined],
      ['node-2', 'node-1'],
      ['node-3', 'node-1'],
    ]);
  });

  it('renders JSON and Markdown from the same change set', async () => {
    const json = await gitwire([
      'plan',
      '--repo',
      repo,
      '--from',
      commits[0]!,
      '--to',
      commits[1]!,
      '--node',
      'node-1',
      '-o',
      'json',
    ]);
    const set = JSON.parse(json.stdout) as {
      summary: Record<string, number>;
      changes: { resource: string; action: string }[];
    };
    // Both empire identities (deathstar itself and tiefighter) move from port 80 to 8080.
    expect(set.summary).toEqual({ create: 2, update: 0, delete: 2 });
    expect(set.changes.every((c) => c.resource === 'policy')).toBe(true);

    const md = await gitwire([
      'plan',
      '--repo',
      repo,
      '--from',
      commits[0]!,
      '--to',
      commits[1]!,
      '--all-nodes',
      '-o',
      'markdown',
    ]);
    expect(md.stdout).toContain('| node | from | to | create | update | delete |');
    expect(md.stdout).toContain('<details><summary><code>policy</code> +2 ~0 -2</summary>');
  });

  it('rejects an invalid commit whole, naming file, line and field, with exit 2', async () => {
    const r = await gitwire(['plan', '--repo', repo, '--from', commits[1]!, '--to', commits[2]!, '--node', 'node-1']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/policies\/broken\.yaml:12: spec\.ingress\[0\]\.toPorts\[0\]\.ports\[0\]\.port: /);
    expect(r.stderr).toContain('nothing was applied');
    // The commit the node holds now is checked as strictly.
    const from = await gitwire([
      'plan',
      '--repo',
      repo,
      '--from',
      commits[2]!,
      '--to',
      commits[1]!,
      '--node',
      'node-1',
    ]);
    expect(from.status).toBe(2);
    expect(from.stderr).toMatch(/policies\/broken\.yaml:12: spec\.ingress\[0\]\.toPorts\[0\]\.ports\[0\]\.port: /);

    const v = await gitwire(['validate', '--repo', repo, '--rev', commits[2]!]);
    expect(v.status).toBe(2);
    expect(v.stderr).toMatch(/policies\/broken\.yaml:12:/);
  });

  it('reads the same commits over HTTP from a git server', async () => {
    const url = server.url('config.git');
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const r = await gitwire(['plan', '--repo', url, '--from', 'v1', '--to', 'v2', '--node', 'node-1', '-o', 'json'], {
      env,
    });
    expect(r.stderr).not.toMatch(/gitwire: |rejected/);
    const set = JSON.parse(r.stdout) as { from: string; to: string; summary: Record<string, number> };
    expect(set.from).toBe(commits[0]);
    expect(set.to).toBe(commits[1]);
    expect(set.summary).toEqual({ create: 2, update: 0, delete: 2 });

    const head = await gitwire(['validate', '--repo', url], { env });
    expect(head.status).toBe(2);
    expect(head.stderr).toMatch(/policies\/broken\.yaml:12:/);
  });
});

describe('gitwire compile', () => {
  it("prints the node's desired state with its endpoints' names, labels, addresses and netns", async () => {
    const r = await gitwire(['compile', '--node', 'node-1']);
    expect(r.status).toBe(0);
    const state = JSON.parse(r.stdout) as {
      node: string;
      resources: Record<string, unknown[]>;
      endpoints: { name: string; namespace: string; labels: Record<string, string>; address: string; netns: string }[];
    };
    expect(state.node).toBe('node-1');
    expect(state.endpoints.find((e) => e.name === 'deathstar-1')).toMatchObject({
      namespace: 'default',
      labels: { org: 'empire', class: 'deathstar' },
      address: '10.0.1.10',
      netns: 'gw-node-1_default_deathstar-1',
    });
    expect(state.resources.policy!.length).toBeGreaterThan(0);
  });

  it('fails with exit 2 and a clear message for a node the repository does not declare', async () => {
    const r = await gitwire(['compile', '--node', 'node-9']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/node-9/);
  });
});
