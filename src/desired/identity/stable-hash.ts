import { hash } from 'node:crypto';

// crypto.hash is the one-shot form: no Hash object per call, which matters at 100k calls per compile.

/** A u32 derived from text, identical on every node and in every release (no Math.random, no process seed). */
export function stableHash32(text: string, seed = ''): number {
  return parseInt(hash('sha256', `${seed}\0${text}`, 'hex').slice(0, 8), 16);
}

/** Hex digest prefix, for names (veth names) that must be short and stable. */
export function stableHex(text: string, chars: number): string {
  return hash('sha256', text, 'hex').slice(0, chars);
}
