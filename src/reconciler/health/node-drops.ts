import type { Counter, Reason } from '../../datapath/maps/index.js';

/** The counter reasons that mean the datapath dropped a packet (the others passed it). */
const DROP_REASONS: readonly Reason[] = [
  'denied-policy',
  'denied-default',
  'no-endpoint',
  'invalid-source',
  'malformed',
  'lb-no-backend',
  'lb-backend-missing',
  'proxy-unavailable',
  'lb-nat-failed',
];

/** Dropped packets by reason, from a node's counters; null when the node has none to read. */
export function nodeDrops(counters: Readonly<Record<Reason, Counter>> | null): Record<string, number> | null {
  if (!counters) return null;
  return Object.fromEntries(DROP_REASONS.map((r) => [r, Number(counters[r]?.packets ?? 0n)]));
}
