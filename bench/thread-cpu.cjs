// Preloaded (`node -r`) by benches that run the CLI: when the process exits,
// appends "<main thread CPU ms> <all threads CPU ms>" to the file named by
// GW_THREAD_CPU, from /proc (10 ms ticks). The main thread's share shows how
// much of a command's CPU went to V8's background threads (optimizing
// compiles, GC helpers), which on two cores take turns with the main thread.
/* global process */
const { appendFileSync, readFileSync } = process.getBuiltinModule('node:fs');

const ticks = (stat) => {
  const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

process.on('exit', () => {
  const out = process.env.GW_THREAD_CPU;
  if (out) appendFileSync(out, `${ticks(`/proc/self/task/${process.pid}/stat`)} ${ticks('/proc/self/stat')}\n`);
});
