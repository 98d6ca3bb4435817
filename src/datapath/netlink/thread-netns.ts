import fs from 'node:fs';
import koffi from 'koffi';
import { errnoName } from './netlink-call-error.js';

// Declares functions only (no named types), as netlink-socket.ts: loading it twice is harmless.
const libc = koffi.load('libc.so.6');
const setns = libc.func('int setns(int fd, int nstype)');
const CLONE_NEWNET = 0x40000000;

/**
 * Runs a synchronous block with the calling thread in the network namespace
 * at `path`, then switches back: the one place a thread of gitwire enters a
 * namespace (libbpf's inNetns and the netlink reader both come here). Failing
 * to enter raises what `enterFailed` makes of the errno. Failing to come back
 * aborts: a thread left in another namespace would make every later call on
 * it act there, so no error a caller could catch is safe.
 */
export function withThreadIn<T>(path: string, label: string, fn: () => T, enterFailed: (errno: number) => Error): T {
  const target = fs.openSync(path, 'r');
  try {
    const home = fs.openSync('/proc/thread-self/ns/net', 'r');
    try {
      if ((setns(target, CLONE_NEWNET) as number) !== 0) throw enterFailed(koffi.errno());
      try {
        const result = fn();
        if (result instanceof Promise) throw new TypeError('inNetns: the block must be synchronous');
        return result;
      } finally {
        if ((setns(home, CLONE_NEWNET) as number) !== 0) {
          process.stderr.write(`gitwire: cannot leave netns ${label} (${errnoName(koffi.errno())}); stopping\n`);
          process.abort();
        }
      }
    } finally {
      fs.closeSync(home);
    }
  } finally {
    fs.closeSync(target);
  }
}
