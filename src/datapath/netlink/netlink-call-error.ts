import { constants } from 'node:os';

const NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!NAMES.has(value)) NAMES.set(value, name);
}

/** `ENOENT` for 2 (or -2); `E<n>` when the number has no name. */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  return NAMES.get(n) ?? `E${n}`;
}

/** A failed socket or namespace call: `code` is the errno's name (ENOENT), `syscall` the call. */
export class NetlinkCallError extends Error {
  override readonly name = 'NetlinkCallError';
  readonly code: string;

  constructor(
    readonly syscall: string,
    readonly errno: number,
    detail: string,
  ) {
    super(`${syscall} ${detail}: ${errnoName(errno)}`);
    this.code = errnoName(errno);
  }
}
