// `gitwire plan` on the generated 100-node repository of issue 10 (see
// cluster-repo.ts): the two-line policy change for one node and for all
// nodes, through the CLI as a user runs it, each a fresh process. Wall, CPU
// and peak RSS of the process come from GNU time (/usr/bin/time); each
// command runs `runs` times, the two commands taking turns, and the median
// of each column is shown (on a shared machine a single run says little).
//   npx tsx bench/plan-cluster.ts [gitwire bin, default bin/gitwire.js] [runs=3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeClusterRepo } from './cluster-repo.js';

const bin = process.argv[2] ?? 'bin/gitwire.js';
const runs = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'gitwire-cluster-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const { from, to } = writeClusterRepo(dir);
  const commands: { name: string; args: string[]; wall: number[]; cpu: number[]; rss: number[]; lines: number }[] = [
    { name: 'plan --node node-1', args: ['--node', 'node-1'], wall: [], cpu: [], rss: [], lines: 0 },
    { name: 'plan --all-nodes', args: ['--all-nodes'], wall: [], cpu: [], rss: [], lines: 0 },
  ];
  for (let r = 0; r < runs; r++) {
    for (const c of commands) {
      const argv = ['-f', '%e %U %S %M', process.execPath, bin, 'plan', '--repo', dir, '--from', from, '--to', to];
      const p = spawnSync('/usr/bin/time', [...argv, ...c.args], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (p.status !== 0) throw new Error(`${c.name}: exit ${p.status}\n${p.stderr}`);
      const [wall, user, sys, rss] = p.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
      c.wall.push(wall!);
      c.cpu.push(user! + sys!);
      c.rss.push(rss! / 1024);
      c.lines = p.stdout.split('\n').length;
    }
  }
  console.log(
    `${runs} runs each, medians\n| command | wall s | CPU s | peak RSS MiB | output lines |\n|---|---:|---:|---:|---:|`,
  );
  for (const c of commands) {
    const row = [median(c.wall).toFixed(2), median(c.cpu).toFixed(2), median(c.rss).toFixed(0), c.lines];
    console.log(`| ${c.name} | ${row.join(' | ')} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
