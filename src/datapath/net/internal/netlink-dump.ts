import { errnoName, type NetlinkSocket } from '../../netlink/index.js';
import { NetlinkError } from '../netlink-error.js';

/** What a dump needs of a socket: NetlinkSocket, or a scripted kernel in unit tests. */
export type DumpSocket = Pick<NetlinkSocket, 'send' | 'recv' | 'netns'>;

/** One netlink message of a dump: its type, its flags and what follows its header. */
export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly body: Buffer;
}

const HEADER = 16;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const NLM_F_DUMP_INTR = 0x10;
const NLMSG_NOOP = 1;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLMSG_OVERRUN = 4;

// The kernel answers a dump from the recv() that asks for it: the wait only ends a dump that never finishes.
const RECV_TIMEOUT_MS = 5000;
// A dump is interrupted when the table changes under it; a busy table may do so a few times running.
const DUMP_ATTEMPTS = 5;

let lastSeq = 0;

export const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Dumps one rtnetlink table: a request of `type` with `payload` (the family
 * header and any attributes), then every message answering it up to
 * NLMSG_DONE. Messages of another sequence number are not this dump's and are
 * skipped. A dump the kernel marks interrupted (NLM_F_DUMP_INTR) is run again.
 * A dump that ends in the error `emptyErrno` found nothing.
 */
export function dump(
  sock: DumpSocket,
  type: number,
  payload: Buffer,
  what: string,
  emptyErrno?: number,
): NetlinkMessage[] {
  for (let attempt = 1; ; attempt++) {
    const { messages, interrupted } = dumpOnce(sock, type, payload, what, emptyErrno);
    if (!interrupted) return messages;
    if (attempt === DUMP_ATTEMPTS) {
      throw new NetlinkError('NETLINK_DUMP_INTERRUPTED', `${what} dump`, `interrupted ${attempt} times running`, {
        netns: sock.netns,
      });
    }
  }
}

function dumpOnce(
  sock: DumpSocket,
  type: number,
  payload: Buffer,
  what: string,
  emptyErrno: number | undefined,
): { messages: NetlinkMessage[]; interrupted: boolean } {
  const seq = send(sock, type, NLM_F_REQUEST | NLM_F_DUMP, payload);
  const messages: NetlinkMessage[] = [];
  let interrupted = false;
  for (;;) {
    for (const m of messagesOf(sock.recv(RECV_TIMEOUT_MS), `${what} dump`)) {
      if (m.seq !== seq) continue;
      if ((m.flags & NLM_F_DUMP_INTR) !== 0) interrupted = true;
      if (m.type === NLMSG_DONE) {
        const err = m.body.length >= 4 ? m.body.readInt32LE(0) : 0;
        if (err < 0 && -err === emptyErrno) return { messages: [], interrupted: false };
        if (err < 0) throw kernelError(`${what} dump`, -err, sock);
        return { messages, interrupted };
      }
      if (m.type === NLMSG_ERROR) {
        const err = m.body.length >= 4 ? m.body.readInt32LE(0) : 0;
        if (err < 0) throw kernelError(`${what} dump`, -err, sock);
        throw new NetlinkError('NETLINK_BAD_MESSAGE', `${what} dump`, 'acknowledged instead of answered');
      }
      if (m.type === NLMSG_OVERRUN) throw new NetlinkError('NETLINK_BAD_MESSAGE', `${what} dump`, 'overrun');
      if (m.type !== NLMSG_NOOP) messages.push(m);
    }
  }
}

/**
 * A request answered by one message (RTM_GETNSID, RTM_GETNETCONF): that
 * message, or NETLINK_KERNEL_ERROR when the kernel refuses.
 */
export function request(sock: DumpSocket, type: number, payload: Buffer, what: string): NetlinkMessage {
  const seq = send(sock, type, NLM_F_REQUEST, payload);
  for (;;) {
    for (const m of messagesOf(sock.recv(RECV_TIMEOUT_MS), what)) {
      if (m.seq !== seq) continue;
      const err = m.type === NLMSG_ERROR && m.body.length >= 4 ? m.body.readInt32LE(0) : 0;
      if (err < 0) throw kernelError(what, -err, sock);
      if (m.type === NLMSG_ERROR)
        throw new NetlinkError('NETLINK_BAD_MESSAGE', what, 'acknowledged instead of answered');
      if (m.type !== NLMSG_NOOP) return m;
    }
  }
}

/** The messages of one datagram; a length that runs past it is NETLINK_BAD_MESSAGE. */
function messagesOf(dgram: Buffer, what: string): (NetlinkMessage & { readonly seq: number })[] {
  const out: (NetlinkMessage & { readonly seq: number })[] = [];
  for (let off = 0; off < dgram.length;) {
    const len = dgram.length - off >= HEADER ? dgram.readUInt32LE(off) : 0;
    if (len < HEADER || off + len > dgram.length) {
      throw new NetlinkError('NETLINK_BAD_MESSAGE', what, `message of ${len} bytes at ${off} of ${dgram.length}`);
    }
    out.push({
      type: dgram.readUInt16LE(off + 4),
      flags: dgram.readUInt16LE(off + 6),
      seq: dgram.readUInt32LE(off + 8),
      body: dgram.subarray(off + HEADER, off + len),
    });
    off += align4(len);
  }
  return out;
}

function send(sock: DumpSocket, type: number, flags: number, payload: Buffer): number {
  lastSeq = (lastSeq % 0xffffffff) + 1;
  const req = Buffer.alloc(HEADER + align4(payload.length));
  req.writeUInt32LE(req.length, 0);
  req.writeUInt16LE(type, 4);
  req.writeUInt16LE(flags, 6);
  req.writeUInt32LE(lastSeq, 8);
  payload.copy(req, HEADER);
  sock.send(req);
  return lastSeq;
}

function kernelError(what: string, errno: number, sock: DumpSocket): NetlinkError {
  return new NetlinkError('NETLINK_KERNEL_ERROR', what, errnoName(errno), { errno, netns: sock.netns });
}

/** Attributes of a message from `offset` on, by type (flag bits cleared); the first of a type wins, as in iproute2. */
export function attributes(body: Buffer, offset: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = offset; off + 4 <= body.length;) {
    const len = body.readUInt16LE(off);
    if (len < 4 || off + len > body.length) break;
    const type = body.readUInt16LE(off + 2) & 0x3fff;
    if (!out.has(type)) out.set(type, body.subarray(off + 4, off + len));
    off += align4(len);
  }
  return out;
}

/** A string attribute: up to its terminating NUL. */
export function attrString(value: Buffer): string {
  const end = value.indexOf(0);
  return value.toString('utf8', 0, end < 0 ? value.length : end);
}
