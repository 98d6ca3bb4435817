import { createHash } from 'node:crypto';

/** A u32 derived from text, identical on every node and in every release (no Math.random, no process seed). */
export function stableHash32(text: string, seed = ''): number {
  return createHash('sha256').update(seed).update('\0').update(text).digest().readUInt32BE(0);
}

/** Hex digest prefix, for names (veth names) that must be short and stable. */
export function stableHex(text: string, chars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}
