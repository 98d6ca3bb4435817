import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSynth } from '../../src/cdk8s/synth/index.js';
import { synthCommand } from '../../src/cli/commands/synth.js';
import { GENERATED_MARKER } from '../../src/cdk8s/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/repo');
// The app and tsx stay where they are (the copy in /tmp has no node_modules); the copy holds the committed manifests.
const APP = `'${join(ROOT, 'node_modules/.bin/tsx')}' '${join(EXAMPLE, 'cdk8s/main.ts')}'`;

/** Runs `gitwire synth` through its commander command and returns the exit code and what it printed. */
async function synthCli(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  const saved = process.exitCode;
  try {
    await synthCommand().exitOverride().parseAsync(args, { from: 'user' });
    return { code: Number(process.exitCode ?? 0), stdout };
  } finally {
    process.stdout.write = write;
    process.exitCode = saved;
  }
}

// Each case runs the app in a child process (tsx start-up included), so the cases get a generous limit.
describe('gitwire synth --check on a copy of the example repository', { timeout: 120_000 }, () => {
  let repo = '';
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'gitwire-synth-check-'));
    cpSync(EXAMPLE, repo, { recursive: true, filter: (src) => !src.includes('node_modules') });
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('passes on the committed tree', async () => {
    const { code, stdout } = await synthCli(['--repo', repo, '--app', APP, '--check']);
    expect(stdout).toMatch(/^up to date: 7 file\(s\)/);
    expect(code).toBe(0);
  });

  it('exits 1 and names the files when a manifest is edited by hand, one is missing and a stale one lingers', async () => {
    appendFileSync(join(repo, 'policies/shop/frontend.yaml'), '    - fromEntities: [cluster]\n');
    unlinkSync(join(repo, 'policies/kube-system/kube-dns.yaml'));
    writeFileSync(join(repo, 'policies/old.yaml'), `${GENERATED_MARKER} from a cdk8s app\napiVersion: v1\n`);
    const { code, stdout } = await synthCli(['--repo', repo, '--app', APP, '--check']);
    expect(code).toBe(1);
    expect(stdout).toContain('policies/shop/frontend.yaml: differs');
    expect(stdout).toContain('policies/kube-system/kube-dns.yaml: missing');
    expect(stdout).toContain('policies/old.yaml: no longer produced');
    expect(stdout).not.toContain('policies/shop/api.yaml');
  });

  it('repairs the stale files when run without --check, leaving hand-written YAML alone', async () => {
    const cluster = readFileSync(join(repo, 'cluster.yaml'), 'utf8');
    const report = await runSynth({ repo, app: APP });
    expect(report.files.filter((f) => f.status !== 'unchanged').map((f) => `${f.status} ${f.path}`)).toEqual([
      'added policies/kube-system/kube-dns.yaml',
      'removed policies/old.yaml',
      'changed policies/shop/frontend.yaml',
    ]);
    expect(readFileSync(join(repo, 'cluster.yaml'), 'utf8')).toBe(cluster);
    expect(readFileSync(join(repo, 'policies/shop/frontend.yaml'), 'utf8')).toBe(
      readFileSync(join(EXAMPLE, 'policies/shop/frontend.yaml'), 'utf8'),
    );
    expect((await runSynth({ repo, app: APP, check: true })).upToDate).toBe(true);
  });

  it('fails with the construct path when the app would produce an invalid commit', async () => {
    // A hand-written policy with the same name as one the app makes: the merged commit would not validate.
    writeFileSync(
      join(repo, 'stray.yaml'),
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector: {}\n',
    );
    const err = await runSynth({ repo, app: APP, check: true }).catch((e: unknown) => e as Error & { code?: string });
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('E_SYNTH_APP');
    expect((err as Error).message).toContain('shop-api/api');
    unlinkSync(join(repo, 'stray.yaml'));
  });
});
