import fs from 'node:fs';
import { errnoName } from './internal/errno-name.js';
import * as ffi from './internal/ffi.js';
import { BpfError } from './bpf-error.js';

/**
 * Runs a synchronous block with the calling thread inside a named network
 * namespace (`ip netns` name or a path), then switches back. libbpf's tc
 * netlink calls and if_nametoindex follow the calling thread, so this is how
 * gitwire attaches to a device in another namespace. The block must not be
 * async: anything deferred would run after the switch back.
 */
export function inNetns<T>(netns: string, fn: () => T): T {
  const path = netns.includes('/') ? netns : `/run/netns/${netns}`;
  return withThreadIn(path, netns, fn, (errno) => new BpfError('BPF_CALL_FAILED', 'netns enter', errno, netns));
}

/**
 * The one place a thread of this process enters a namespace. Failing to enter
 * raises what `enterFailed` makes of the errno. Failing to come back aborts:
 * a thread left in another namespace would make every later call on it act
 * there, so no error a caller could catch is safe.
 */
export function withThreadIn<T>(path: string, label: string, fn: () => T, enterFailed: (errno: number) => Error): T {
  const target = fs.openSync(path, 'r');
  try {
    const home = fs.openSync('/proc/thread-self/ns/net', 'r');
    try {
      if (ffi.setns(target, ffi.CLONE_NEWNET) !== 0) throw enterFailed(ffi.errno());
      try {
        const result = fn();
        if (result instanceof Promise) throw new TypeError('inNetns: the block must be synchronous');
        return result;
      } finally {
        if (ffi.setns(home, ffi.CLONE_NEWNET) !== 0) {
          process.stderr.write(`gitwire: cannot leave netns ${label} (${errnoName(ffi.errno())}); stopping\n`);
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
