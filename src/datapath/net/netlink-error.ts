export type NetlinkErrorCode =
  | 'NETLINK_NETNS_ABSENT'
  | 'NETLINK_CALL_FAILED'
  | 'NETLINK_KERNEL_ERROR'
  | 'NETLINK_DUMP_INTERRUPTED'
  | 'NETLINK_BAD_MESSAGE';

/**
 * A netlink read of a namespace that failed: the namespace is not there, a
 * socket call failed, the kernel answered with an error, it kept interrupting
 * a dump, or a message does not parse. All may pass on a retry.
 */
export class NetlinkError extends Error {
  readonly errorKind = 'transient';

  constructor(
    readonly code: NetlinkErrorCode,
    readonly op: string,
    message: string,
    readonly data: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${op}: ${message}`);
    this.name = 'NetlinkError';
  }
}
