import { errnoName } from '../errno-name.js';

export { errnoName };
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
