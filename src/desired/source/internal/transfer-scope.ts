import {
  DEFAULT_MAX_FETCH_BYTES,
  DEFAULT_MAX_OBJECT_BYTES,
  DEFAULT_TIMEOUTS,
  type SourceOptions,
} from '../source-options.js';
import { TransferStopped, type TransferLimits } from './timed-http.js';

export interface TransferScope extends TransferLimits {
  /** Clears the total-timeout timer; call when the operation ends, however it ends. */
  dispose(): void;
}

/**
 * The limits of one source operation (a read or a resolve): the total timeout
 * starts now and, like the caller's signal, aborts whatever request is in flight.
 */
export function openTransfer(opts: SourceOptions): TransferScope {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  for (const [name, ms] of Object.entries(timeouts)) {
    if (!Number.isSafeInteger(ms) || ms <= 0)
      throw new RangeError(`timeouts.${name} must be a positive integer, got ${ms}`);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TransferStopped('total', timeouts.totalMs)), timeouts.totalMs);
  timer.unref();
  const onAbort = () => controller.abort(new TransferStopped('aborted', 0));
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    connectMs: timeouts.connectMs,
    idleMs: timeouts.idleMs,
    maxBytes: opts.maxFetchBytes ?? DEFAULT_MAX_FETCH_BYTES,
    maxObjectBytes: opts.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES,
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    },
  };
}
