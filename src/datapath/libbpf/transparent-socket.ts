import { constants } from 'node:os';
import { libc, errno, strerror } from './internal/ffi.js';
import { errnoName } from './internal/errno-name.js';
import { inNetns } from './netns.js';

// The socket calls Node cannot make: a listener with IP_TRANSPARENT (it
// accepts connections bpf_sk_assign hands it, whatever their destination) and
// a connection with SO_MARK set before its SYN. Both return a file descriptor
// for net.Server.listen({fd}) / new net.Socket({fd}).

const socketFn = libc.func('int socket(int domain, int type, int protocol)');
const setsockoptFn = libc.func('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)');
const getsockoptFn = libc.func('int getsockopt(int fd, int level, int name, _Out_ void *val, _Inout_ uint32_t *len)');
const bindFn = libc.func('int bind(int fd, const void *addr, uint32_t len)');
const listenFn = libc.func('int listen(int fd, int backlog)');
const connectFn = libc.func('int connect(int fd, const void *addr, uint32_t len)');
const pollFn = libc.func('int poll(void *fds, unsigned long nfds, int timeout)');
const closeFn = libc.func('int close(int fd)');

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_ERROR = 4;
const SO_MARK = 36;
const SOL_IP = 0;
const IP_TRANSPARENT = 19;
const POLLOUT = 4;

/** A failed socket call, shaped like Node's own errors: `code` is the errno's name (ECONNREFUSED). */
export class SocketCallError extends Error {
  override readonly name = 'SocketCallError';
  readonly code: string;

  constructor(
    readonly syscall: string,
    readonly errno: number,
    detail: string,
  ) {
    super(`${syscall} ${detail}: ${errnoName(errno)} (${strerror(errno)})`);
    this.code = errnoName(errno);
  }
}

export interface TransparentListenerSpec {
  readonly port: number;
  /** Default 0.0.0.0: the datapath looks the listener up by port alone. */
  readonly address?: string;
  /** The namespace of the tc programs that assign to it (`ip netns` name or path); default the caller's. */
  readonly netns?: string;
  readonly backlog?: number;
}

/** A listening TCP socket with IP_TRANSPARENT; the caller owns the fd. */
export function transparentListener(spec: TransparentListenerSpec): number {
  const address = spec.address ?? '0.0.0.0';
  const make = () =>
    withSocket(`${address}:${spec.port}`, (fd, detail) => {
      setInt(fd, SOL_IP, IP_TRANSPARENT, 1, detail);
      setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, detail);
      call('bind', detail, bindFn(fd, sockaddr(address, spec.port), 16) as number);
      call('listen', detail, listenFn(fd, spec.backlog ?? 511) as number);
    });
  return spec.netns ? inNetns(spec.netns, make) : make();
}

export interface MarkedConnectSpec {
  readonly address: string;
  readonly port: number;
  /** SO_MARK of every packet, the SYN included. */
  readonly mark: number;
  readonly netns?: string;
  readonly timeoutMs?: number;
}

/** A TCP connection whose packets carry a mark; resolves with its fd once connected. */
export async function markedConnect(spec: MarkedConnectSpec): Promise<number> {
  const detail = `${spec.address}:${spec.port}`;
  const open = () =>
    withSocket(detail, (fd) => {
      setInt(fd, SOL_SOCKET, SO_MARK, spec.mark, detail);
      if ((connectFn(fd, sockaddr(spec.address, spec.port), 16) as number) < 0) {
        const e = errno();
        if (e !== constants.errno.EINPROGRESS) throw new SocketCallError('connect', e, detail);
      }
    });
  const fd = spec.netns ? inNetns(spec.netns, open) : open();
  try {
    await writable(fd, spec.timeoutMs ?? 10_000, detail);
    const err = Buffer.alloc(4);
    call('getsockopt', detail, getsockoptFn(fd, SOL_SOCKET, SO_ERROR, err, [4]) as number);
    if (err.readInt32LE(0) !== 0) throw new SocketCallError('connect', err.readInt32LE(0), detail);
    return fd;
  } catch (e) {
    closeFn(fd);
    throw e;
  }
}

/** Waits on another thread until the connecting socket is writable (connected or failed). */
function writable(fd: number, timeoutMs: number, detail: string): Promise<void> {
  const pfd = Buffer.alloc(8);
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(POLLOUT, 4);
  return new Promise((resolve, reject) => {
    pollFn.async(pfd, 1, timeoutMs, (err: unknown, n: number) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else if (n === 0) reject(new SocketCallError('connect', constants.errno.ETIMEDOUT, detail));
      else if (n < 0) reject(new SocketCallError('poll', constants.errno.EINTR, detail));
      else resolve();
    });
  });
}

function withSocket(detail: string, setup: (fd: number, detail: string) => void): number {
  const fd = call('socket', detail, socketFn(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) as number);
  try {
    setup(fd, detail);
    return fd;
  } catch (e) {
    closeFn(fd);
    throw e;
  }
}

function setInt(fd: number, level: number, name: number, value: number, detail: string): void {
  const v = Buffer.alloc(4);
  v.writeUInt32LE(value >>> 0, 0);
  call('setsockopt', detail, setsockoptFn(fd, level, name, v, 4) as number);
}

function call(syscall: string, detail: string, ret: number): number {
  if (ret < 0) throw new SocketCallError(syscall, errno(), detail);
  return ret;
}

/** struct sockaddr_in: family in host order, port and address in network order. */
function sockaddr(address: string, port: number): Buffer {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new RangeError(`not an IPv4 address: ${address}`);
  }
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  Buffer.from(octets).copy(b, 4);
  return b;
}
