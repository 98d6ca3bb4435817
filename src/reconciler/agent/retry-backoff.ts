/** First retry after a transient failure, and the ceiling the doubling stops at (as cilium/statedb's reconciler). */
export const RETRY_MIN_MS = 100;
export const RETRY_MAX_MS = 60_000;

/** Delay before retry number `failures` (1 = the first failure): 100 ms, 200 ms, 400 ms, … capped at 1 min. */
export function retryDelay(failures: number, minMs = RETRY_MIN_MS, maxMs = RETRY_MAX_MS): number {
  if (failures < 1) return 0;
  // Past 2^20 the cap has long been reached; bounding the exponent keeps the number finite.
  return Math.min(maxMs, minMs * 2 ** Math.min(failures - 1, 20));
}
