import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Heap growth since the last collection that makes the next pass's end collect. */
export const PASS_GARBAGE_BYTES = 32 * 1024 * 1024;

/** Growth of the old generation between full collections (see prepareAgentHeap). */
const OLD_GENERATION_GROWTH_PERCENT = 25;

let gc: (() => void) | null = null;
let liveAfterLast = 0;

/**
 * A full garbage collection after a pass that left much garbage: a converging
 * pass, a recompile, or a node whose maps drifted (observe then decodes what
 * differs). Left to itself, V8 grows the heap for several passes before
 * collecting and holds the pages while the agent idles. Collected here, the
 * pages go back to the system between passes. Returns whether it collected.
 */
export function collectPassGarbage(threshold = PASS_GARBAGE_BYTES): boolean {
  if (getHeapStatistics().used_heap_size - liveAfterLast < threshold) return false;
  fullGc();
  liveAfterLast = getHeapStatistics().used_heap_size;
  return true;
}

/**
 * How the agent's heap grows, set when it starts. The young generation stays
 * at its first size (two 1 MiB semi-spaces): left to grow, it reaches two
 * 16 MiB semi-spaces in the first compile and stays resident for the agent's
 * life; small, a pass's objects are promoted sooner, and the collection after
 * the pass takes them. The old generation grows by a quarter past what the
 * last full collection kept, not V8's up to 4x for a young process: compiling
 * a ~100k-entry node otherwise runs to ~125 MiB of heap before its first full
 * collection, most of it garbage, and that was the converging pass's peak.
 */
export function prepareAgentHeap(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}

function fullGc(): void {
  // `gc` exists in a context made after --expose-gc is set: users run the agent without node flags.
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
