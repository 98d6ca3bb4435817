import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFiles, gitwire } from '../support/cli.js';
import { makeRepo, makeTempDir, removeDir } from '../support/git-fixtures.js';

let dir: string;

beforeAll(() => {
  dir = makeTempDir('gitwire-usage-');
});

afterAll(() => removeDir(dir));

const missingNetns = () => `gw-missing-${process.pid.toString(36)}-${Date.now().toString(36)}`;

describe('gitwire usage errors and where warnings go', () => {
  it('refuses apply --netns naming a missing namespace as a usage error, creating nothing', async () => {
    const ns = missingNetns();
    const root = join(dir, 'bpffs');
    const r = await gitwire(['apply', '--node', 'node-1', '--netns', ns, '--bpffs-root', root]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`network namespace "${ns}" does not exist`);
    expect(r.stderr).not.toContain('E_TRANSIENT');
    expect(r.stdout).toBe('');
    expect(existsSync(root)).toBe(false);
    expect(existsSync(`/run/netns/${ns}`)).toBe(false);
  });

  it('refuses a --netns that is not a namespace name', async () => {
    const r = await gitwire(['apply', '--node', 'node-1', '--netns', '../../etc', '--bpffs-root', join(dir, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not a network namespace name');
  });

  it('accepts --rev with plan --live, as apply and validate do', async () => {
    const ns = missingNetns();
    const r = await gitwire(['plan', '--live', '--rev', 'HEAD', '--node', 'node-1', '--netns', ns]);
    expect(r.stderr).not.toContain("unknown option '--rev'");
    expect(r.stderr).toContain(`network namespace "${ns}" does not exist`);
    expect(r.status).toBe(2);
  });

  it('plans to --rev exactly as to --to', async () => {
    const repo = join(dir, 'config');
    const [first] = makeRepo(repo, [
      exampleFiles(),
      { 'extra.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n' },
    ]);
    const a = await gitwire(['plan', '--repo', repo, '--node', 'node-1', '--rev', first!, '-o', 'json']);
    const b = await gitwire(['plan', '--repo', repo, '--node', 'node-1', '--to', first!, '-o', 'json']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('prints validate warnings on stderr, leaving stdout to the result', async () => {
    const repo = join(dir, 'warn');
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n');
    const r = await gitwire(['validate', '--repo', repo]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning: pod.yaml:1: ignored Pod (v1)');
    expect(r.stdout).not.toContain('warning');
    expect(r.stdout).toMatch(/^ok: /);
  });
});
