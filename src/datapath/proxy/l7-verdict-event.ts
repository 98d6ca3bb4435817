import type { Direction } from '../../desired/desired-state.js';
import type { L7RuleRef } from '../../desired/compile/l7/index.js';

/**
 * forwarded: a rule allowed it (status is the upstream's); denied: no rule
 * did (403); refused: the proxy would not read it (unparsable, HTTP/2
 * cleartext, an upgrade); error: allowed but the upstream failed (502).
 */
export type L7Verdict = 'forwarded' | 'denied' | 'refused' | 'error';

/** One request the proxy decided, for the monitor's event stream. */
export interface L7VerdictEvent {
  readonly direction: Direction;
  /** null when the connection was refused before it was resolved. */
  readonly identity: number | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly verdict: L7Verdict;
  /** The HTTP rule that allowed the request (policy, field path, file:line); null when none did. */
  readonly rule: L7RuleRef | null;
  /** Headers that did not match but whose headerMatches mismatch action let the request through. */
  readonly mismatches: readonly string[];
  /** Why a request was refused or failed. */
  readonly reason: string | null;
}
