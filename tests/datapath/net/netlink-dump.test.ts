import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { dump, type DumpSocket } from '../../../src/datapath/net/internal/netlink-dump.js';

// The dump protocol against a scripted kernel: what the kernel answers to each
// request, datagram by datagram. The parsers and the socket are tested
// against the real kernel in tests/kernel/netns-netlink-read.test.ts.

const NLMSG_NOOP = 1;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_MULTI = 0x2;
const NLM_F_DUMP_INTR = 0x10;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;

function msg(type: number, seq: number, body: Buffer, flags = NLM_F_MULTI): Buffer {
  const len = 16 + body.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq, 8);
  body.copy(b, 16);
  return b;
}

const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n, 0);
  return b;
};
const done = (seq: number, err = 0) => msg(NLMSG_DONE, seq, int32(err));
const link = (seq: number, tag: number, flags = NLM_F_MULTI) =>
  msg(RTM_NEWLINK, seq, Buffer.from([tag, 0, 0, 0]), flags);

/** Answers each request with the datagrams `script` gives for its sequence number and its attempt (1, 2, ...). */
class ScriptedKernel implements DumpSocket {
  readonly netns = 'scripted';
  readonly requests: Buffer[] = [];
  private readonly queue: Buffer[] = [];

  constructor(private readonly script: (seq: number, attempt: number) => Buffer[]) {}

  send(req: Buffer): void {
    this.requests.push(req);
    this.queue.push(...this.script(req.readUInt32LE(8), this.requests.length));
  }

  recv(): Buffer {
    const d = this.queue.shift();
    if (d === undefined) throw new Error('recv with nothing to receive: a real dump would wait here');
    return d;
  }
}

const tags = (ms: { body: Buffer }[]) => ms.map((m) => m.body[0]);

describe('netlink dump', () => {
  it('collects the messages answering its request across datagrams, up to NLMSG_DONE', () => {
    const k = new ScriptedKernel((seq) => [
      Buffer.concat([link(seq, 1), msg(NLMSG_NOOP, seq, Buffer.alloc(0)), link(seq, 2)]),
      Buffer.concat([link(seq, 3), done(seq)]),
    ]);
    expect(tags(dump(k, RTM_GETLINK, Buffer.alloc(16), 'link'))).toEqual([1, 2, 3]);
    const req = k.requests[0]!;
    expect(req.readUInt16LE(4)).toBe(RTM_GETLINK);
    expect(req.readUInt16LE(6)).toBe(0x301);
    expect(req.readUInt32LE(0)).toBe(32);
  });

  it('skips messages of another sequence number, such as the end of an earlier dump', () => {
    const k = new ScriptedKernel((seq) => [
      Buffer.concat([link(seq - 1, 9), done(seq - 1)]),
      Buffer.concat([link(seq, 1), done(seq)]),
    ]);
    expect(tags(dump(k, RTM_GETLINK, Buffer.alloc(16), 'link'))).toEqual([1]);
  });

  it('runs a dump the kernel marks interrupted again, with a new sequence number', () => {
    const k = new ScriptedKernel((seq, attempt) =>
      attempt === 1
        ? [Buffer.concat([link(seq, 1), link(seq, 2, NLM_F_MULTI | NLM_F_DUMP_INTR), done(seq)])]
        : [Buffer.concat([link(seq, 7), done(seq)])],
    );
    expect(tags(dump(k, RTM_GETLINK, Buffer.alloc(16), 'link'))).toEqual([7]);
    expect(k.requests).toHaveLength(2);
    expect(k.requests[1]!.readUInt32LE(8)).not.toBe(k.requests[0]!.readUInt32LE(8));
  });

  it('gives up on a dump interrupted five times running', () => {
    const k = new ScriptedKernel((seq) => [Buffer.concat([link(seq, 1, NLM_F_MULTI | NLM_F_DUMP_INTR), done(seq)])]);
    expect(() => dump(k, RTM_GETLINK, Buffer.alloc(16), 'link')).toThrow(
      expect.objectContaining({ code: 'NETLINK_DUMP_INTERRUPTED', errorKind: 'transient' }),
    );
    expect(k.requests).toHaveLength(5);
  });

  it('turns NLMSG_ERROR into NETLINK_KERNEL_ERROR with the errno', () => {
    const k = new ScriptedKernel((seq) => [
      msg(NLMSG_ERROR, seq, Buffer.concat([int32(-constants.errno.EPERM), Buffer.alloc(16)]), 0),
    ]);
    expect(() => dump(k, RTM_GETLINK, Buffer.alloc(16), 'link')).toThrow(
      expect.objectContaining({
        code: 'NETLINK_KERNEL_ERROR',
        message: 'link dump: EPERM',
        data: expect.objectContaining({ errno: constants.errno.EPERM }),
      }),
    );
  });

  it('reads a dump ending in the error it is told means empty as no messages, and fails on it otherwise', () => {
    const script = (seq: number) => [done(seq, -constants.errno.ENOENT)];
    expect(dump(new ScriptedKernel(script), 26, Buffer.alloc(12), 'route', constants.errno.ENOENT)).toEqual([]);
    expect(() => dump(new ScriptedKernel(script), 26, Buffer.alloc(12), 'route')).toThrow(
      expect.objectContaining({ code: 'NETLINK_KERNEL_ERROR' }),
    );
  });

  it('rejects a message whose length runs past its datagram', () => {
    const k = new ScriptedKernel((seq) => {
      const m = link(seq, 1);
      m.writeUInt32LE(400, 0);
      return [m];
    });
    expect(() => dump(k, RTM_GETLINK, Buffer.alloc(16), 'link')).toThrow(
      expect.objectContaining({ code: 'NETLINK_BAD_MESSAGE' }),
    );
  });
});
