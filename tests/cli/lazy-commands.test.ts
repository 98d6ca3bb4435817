import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMMANDS, program } from '../../src/cli/main.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** The heavy npm packages a child process has loaded after building the CLI for `args`. */
function heavyPackagesFor(args: readonly string[]): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const { program } = await import(${JSON.stringify(MAIN)});
    await program(['node', 'gitwire', ...${JSON.stringify(args)}]);
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(['koffi', 'etcd3', 'isomorphic-git', 'cdk8s'].filter((p) =>
      loaded.some((f) => f.includes('/node_modules/') && f.includes(p)))));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as string[];
}

describe('commands loaded on demand', () => {
  it('lists every command in the root help with the summary its module gives', async () => {
    for (const c of COMMANDS) expect((await c.load()).description()).toBe(c.summary);
    const help = (await program(['node', 'gitwire', '--help'])).helpInformation();
    for (const c of COMMANDS) expect(help).toContain(c.name);
  });

  it('builds the invoked command in full, with its options', async () => {
    const plan = (await program(['node', 'gitwire', 'plan', '--all-nodes'])).commands.find((c) => c.name() === 'plan');
    expect(plan!.options.map((o) => o.long)).toContain('--all-nodes');
    const viaHelp = (await program(['node', 'gitwire', 'help', 'apply'])).commands.find((c) => c.name() === 'apply');
    expect(viaHelp!.options.map((o) => o.long)).toContain('--node');
  });

  it('loads no kernel, etcd or git library for --help, and the kernel one for apply', () => {
    expect(heavyPackagesFor(['--help'])).toEqual([]);
    expect(heavyPackagesFor(['status', '--node', 'n1'])).toEqual([]);
    expect(heavyPackagesFor(['apply'])).toContain('koffi');
  }, 60_000);
});
