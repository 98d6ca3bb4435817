import { constants } from 'node:os';

// Kernel-internal codes that leak to user space from BPF syscalls.
const KERNEL_ONLY: Record<number, string> = { 524: 'ENOTSUPP', 512: 'ERESTARTSYS' };

const NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!NAMES.has(value)) NAMES.set(value, name);
}

/** `ENOENT` for 2 (or -2); `E<n>` when the number has no name. */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  return NAMES.get(n) ?? KERNEL_ONLY[n] ?? `E${n}`;
}
