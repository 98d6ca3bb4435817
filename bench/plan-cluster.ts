// `gitwire plan` on the generated 100-node repository of issue 10 (see
// cluster-repo.ts): the two-line policy change for one node and for all
// nodes, through the CLI as a user runs it, each a fresh process. Wall, CPU
// and peak RSS of the process come from GNU time (/usr/bin/time), the main
// thread's own CPU from /proc (thread-cpu.cjs, preloaded); each command runs
// `runs` times, the two commands taking turns, and the median of each column
// is shown (on a shared machine a single run says little).
//   npx tsx bench/plan-cluster.ts [gitwire bin, default bin/gitwire.js] [runs=3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeClusterRepo } from './cluster-repo.js';

const bin = process.argv[2] ?? 'bin/gitwire.js';
const runs = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'gitwire-cluster-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const threadCpu = new URL('thread-cpu.cjs', import.meta.url).pathname;
try {
  const { from, to } = writeClusterRepo(dir);
  type Runs = { wall: number[]; cpu: number[]; main: number[]; rss: number[] };
  const commands: (Runs & { name: string; args: string[]; lines: number })[] = [
    { name: 'plan --node node-1', args: ['--node', 'node-1'], wall: [], cpu: [], main: [], rss: [], lines: 0 },
    { name: 'plan --all-nodes', args: ['--all-nodes'], wall: [], cpu: [], main: [], rss: [], lines: 0 },
  ];
  const threads = join(dir, 'thread-cpu');
  for (let r = 0; r < runs; r++) {
    for (const c of commands) {
      const node = [process.execPath, '-r', threadCpu, bin];
      const argv = ['-f', '%e %U %S %M', ...node, 'plan', '--repo', dir, '--from', from, '--to', to];
      const env = { ...process.env, GW_THREAD_CPU: threads };
      rmSync(threads, { force: true });
      const p = spawnSync('/usr/bin/time', [...argv, ...c.args], { encoding: 'utf8', maxBuffer: 1 << 30, env });
      if (p.status !== 0) throw new Error(`${c.name}: exit ${p.status}\n${p.stderr}`);
      const [wall, user, sys, rss] = p.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
      c.wall.push(wall!);
      c.cpu.push(user! + sys!);
      c.rss.push(rss! / 1024);
      c.main.push(Number(readFileSync(threads, 'utf8').split(' ')[0]) / 1000);
      c.lines = p.stdout.split('\n').length;
    }
  }
  console.log(
    `${runs} runs each, medians\n| command | wall s | CPU s | main thread CPU s | peak RSS MiB | output lines |\n|---|---:|---:|---:|---:|---:|`,
  );
  for (const c of commands) {
    const row = [median(c.wall), median(c.cpu), median(c.main)].map((x) => x.toFixed(2));
    row.push(median(c.rss).toFixed(0), String(c.lines));
    console.log(`| ${c.name} | ${row.join(' | ')} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
