// Start-up cost of the CLI against a bare `node -e 0`, hyperfine style:
// every command run N times, interleaved, medians of wall time and mean CPU
// (user + system of the child, from /proc/self/stat at 100 ticks/s).
//   npx tsx bench/cli-start.ts [runs] [gitwire bin, default bin/gitwire.js]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const runs = Number(process.argv[2] ?? 20);
const bin = process.argv[3] ?? 'bin/gitwire.js';
const commands: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['gitwire --help', [bin, '--help']],
  ['gitwire validate (examples/repo)', [bin, 'validate', '--repo', 'examples/repo']],
];

/** CPU seconds of waited-for children so far (cutime + cstime). */
function childCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const wall = commands.map((): number[] => []);
const cpu = commands.map(() => 0);
for (let r = 0; r < runs; r++) {
  commands.forEach(([name, args], i) => {
    const c0 = childCpu();
    const t0 = performance.now();
    const out = spawnSync(process.execPath, args, { encoding: 'utf8' });
    wall[i]!.push(performance.now() - t0);
    cpu[i]! += childCpu() - c0;
    if (out.status !== 0) throw new Error(`${name}: exit ${out.status}\n${out.stderr}`);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(wall[0]!);
// Wall time moves with whatever else the machine runs; the CPU ratio much less.
console.log(
  `| command | wall ms (median of ${runs}) | × node -e 0 | CPU ms (mean) | CPU × node -e 0 |\n|---|---:|---:|---:|---:|`,
);
commands.forEach(([name], i) => {
  const w = median(wall[i]!);
  const c = cpu[i]! / runs;
  console.log(
    `| ${name} | ${w.toFixed(0)} | ${(w / base).toFixed(2)} | ${(c * 1000).toFixed(0)} | ${(c / (cpu[0]! / runs)).toFixed(2)} |`,
  );
});
