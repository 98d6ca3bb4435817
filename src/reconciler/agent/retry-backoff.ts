/** First retry after a transient failure, and the ceiling the doubling stops at (as cilium/statedb's reconciler). */
export const RETRY_MIN_MS = 100;
export const RETRY_MAX_MS = 60_000;
/** Attempts at the ceiling delay after which an error of unknown kind is reported Stalled instead of retried. */
export const UNKNOWN_RETRIES_AT_MAX = 5;

/** Delay before retry number `failures` (1 = the first failure): 100 ms, 200 ms, 400 ms, … capped at 1 min. */
export function retryDelay(failures: number, minMs = RETRY_MIN_MS, maxMs = RETRY_MAX_MS): number {
  if (failures < 1) return 0;
  // Past 2^20 the cap has long been reached; bounding the exponent keeps the number finite.
  return Math.min(maxMs, minMs * 2 ** Math.min(failures - 1, 20));
}

/**
 * Whether `failures` failures in a row have used up the retries an error of
 * unknown kind gets: `atMax` of them waited the ceiling delay. With the
 * defaults that is the 16th failure, after about 7 minutes of retrying.
 */
export function retriesExhausted(
  failures: number,
  minMs = RETRY_MIN_MS,
  maxMs = RETRY_MAX_MS,
  atMax = UNKNOWN_RETRIES_AT_MAX,
): boolean {
  let firstAtMax = 1;
  while (retryDelay(firstAtMax, minMs, maxMs) < maxMs) firstAtMax++;
  return failures - firstAtMax + 1 > atMax;
}
