// `gitwire plan` on the generated 100-node repository of issue 10 (see
// cluster-repo.ts): the two-line policy change for one node and for all
// nodes, through the CLI as a user runs it. Wall, CPU and peak RSS of the
// process come from GNU time (/usr/bin/time).
//   npx tsx bench/plan-cluster.ts [gitwire bin, default bin/gitwire.js]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeClusterRepo } from './cluster-repo.js';

const bin = process.argv[2] ?? 'bin/gitwire.js';
const dir = mkdtempSync(join(tmpdir(), 'gitwire-cluster-'));
try {
  const { from, to } = writeClusterRepo(dir);
  const runs: [string, string[]][] = [
    ['plan --node node-1', ['--node', 'node-1']],
    ['plan --all-nodes', ['--all-nodes']],
  ];
  console.log('| command | wall s | CPU s | peak RSS MiB | output lines |\n|---|---:|---:|---:|---:|');
  for (const [name, args] of runs) {
    const argv = ['-f', '%e %U %S %M', process.execPath, bin, 'plan', '--repo', dir, '--from', from, '--to', to];
    const r = spawnSync('/usr/bin/time', [...argv, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`${name}: exit ${r.status}\n${r.stderr}`);
    const [wall, user, sys, rss] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    const lines = r.stdout.split('\n').length;
    console.log(
      `| ${name} | ${wall!.toFixed(1)} | ${(user! + sys!).toFixed(2)} | ${(rss! / 1024).toFixed(0)} | ${lines} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
