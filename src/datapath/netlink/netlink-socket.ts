import { constants } from 'node:os';
import koffi from 'koffi';
import { withThreadIn } from './thread-netns.js';
import { NetlinkCallError } from './netlink-call-error.js';

// A netlink socket opened inside a named network namespace without running a
// process there: the calling thread enters the namespace for socket() only.
// The socket keeps that namespace for its life; send and recv work from anywhere.
// The binding declares functions only (no named types), so loading it twice is harmless.

const libc = koffi.load('libc.so.6');
const socketFn = libc.func('int socket(int domain, int type, int protocol)');
const setsockoptFn = libc.func('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)');
const sendFn = libc.func('long send(int fd, const void *buf, size_t len, int flags)');
const recvFn = libc.func('long recv(int fd, _Out_ void *buf, size_t len, int flags)');
const pollFn = libc.func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)');
const closeFn = libc.func('int close(int fd)');

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_NETLINK = 270;
const NETLINK_GET_STRICT_CHK = 12;
const MSG_PEEK = 0x2;
const MSG_TRUNC = 0x20;
const POLLIN = 1;
const errno = (): number => koffi.errno();

const NETNS_DIR = '/run/netns';

export class NetlinkSocket {
  private open = true;
  private buf: Buffer;

  private constructor(
    readonly fd: number,
    /** For error messages: the namespace's name, or null for the caller's. */
    readonly netns: string | null,
    bufferSize: number,
  ) {
    this.buf = Buffer.allocUnsafe(bufferSize);
  }

  /**
   * A netlink socket of `protocol` in the namespace `ip netns` calls `netns`
   * (null: the caller's). Strict checking is asked for, so that dumps honour
   * their filters where the kernel can (4.20+); callers filter again anyway.
   * Throws ENOENT when the name does not exist, EINVAL from setns when its file
   * holds no namespace. `bufferSize` is where receiving starts; the kernel
   * sizes dump datagrams after what the reader offers (up to 32 KiB).
   */
  static open(protocol: number, netns: string | null = null, bufferSize = 32 * 1024): NetlinkSocket {
    const make = () => call('socket', netns, socketFn(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol));
    const fd = netns === null ? make() : inNamedNetns(netns, make);
    const one = Buffer.alloc(4);
    one.writeUInt32LE(1, 0);
    setsockoptFn(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, one, 4);
    return new NetlinkSocket(fd, netns, bufferSize);
  }

  /** Sends one request; a partial send is an error (netlink takes a datagram whole or not at all). */
  send(msg: Buffer): void {
    const n = Number(sendFn(this.fd, msg, msg.length, 0));
    if (n < 0) throw new NetlinkCallError('send', errno(), this.detail);
    if (n !== msg.length) throw new NetlinkCallError('send', constants.errno.EMSGSIZE, this.detail);
  }

  /**
   * Receives one whole datagram, waiting at most `timeoutMs` for it. It is
   * peeked at first with MSG_TRUNC, which gives its full length, so a datagram
   * larger than the buffer grows the buffer instead of being cut.
   */
  recv(timeoutMs: number): Buffer {
    for (;;) {
      const n = this.recvInto(MSG_PEEK | MSG_TRUNC, timeoutMs);
      if (n > this.buf.length) {
        this.buf = Buffer.allocUnsafe(n);
        continue;
      }
      const got = this.recvInto(0, timeoutMs);
      return Buffer.from(this.buf.subarray(0, got));
    }
  }

  private recvInto(flags: number, timeoutMs: number): number {
    for (;;) {
      const n = Number(recvFn(this.fd, this.buf, this.buf.length, flags));
      if (n >= 0) return n;
      const e = errno();
      if (e === constants.errno.EINTR) continue;
      if (e !== constants.errno.EAGAIN) throw new NetlinkCallError('recv', e, this.detail);
      const pfd = Buffer.alloc(8);
      pfd.writeInt32LE(this.fd, 0);
      pfd.writeInt16LE(POLLIN, 4);
      const ready = pollFn(pfd, 1, timeoutMs) as number;
      if (ready === 0) throw new NetlinkCallError('recv', constants.errno.ETIMEDOUT, this.detail);
      if (ready < 0 && errno() !== constants.errno.EINTR) throw new NetlinkCallError('poll', errno(), this.detail);
    }
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    closeFn(this.fd);
  }

  private get detail(): string {
    return `netlink${this.netns === null ? '' : ` in netns ${this.netns}`}`;
  }
}

/**
 * Runs `fn` with the calling thread in the named namespace. The way back is
 * opened before leaving; if returning fails, every later call of this thread
 * would act in the wrong namespace, so the process stops instead.
 */
function inNamedNetns<T>(netns: string, fn: () => T): T {
  // A name is one entry of the directory, never a path out of it.
  if (netns === '' || netns === '.' || netns === '..' || /[/\0]/.test(netns)) {
    throw new NetlinkCallError('open', constants.errno.EINVAL, `netns ${JSON.stringify(netns)}`);
  }
  return withThreadIn(
    `${NETNS_DIR}/${netns}`,
    netns,
    fn,
    (e) => new NetlinkCallError('setns', e, `netlink in netns ${netns}`),
  );
}

function call(syscall: string, netns: string | null, ret: number): number {
  if (ret < 0) throw new NetlinkCallError(syscall, errno(), netns === null ? 'netlink' : `netlink in netns ${netns}`);
  return ret;
}
