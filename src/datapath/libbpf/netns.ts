import fs from 'node:fs';
import * as ffi from './internal/ffi.js';
import { check } from './bpf-error.js';

/**
 * Runs a synchronous block with the calling thread inside a named network
 * namespace (`ip netns` name or a path), then switches back. libbpf's tc
 * netlink calls and if_nametoindex follow the calling thread, so this is how
 * gitwire attaches to a device in another namespace. The block must not be
 * async: anything deferred would run after the switch back.
 */
export function inNetns<T>(netns: string, fn: () => T): T {
  const target = fs.openSync(netns.includes('/') ? netns : `/var/run/netns/${netns}`, 'r');
  const self = fs.openSync('/proc/thread-self/ns/net', 'r');
  try {
    check(ffi.setns(target, ffi.CLONE_NEWNET) === 0 ? 0 : -ffi.errno(), 'netns enter', netns);
    try {
      const result = fn();
      if (result instanceof Promise) throw new TypeError('inNetns: the block must be synchronous');
      return result;
    } finally {
      check(ffi.setns(self, ffi.CLONE_NEWNET) === 0 ? 0 : -ffi.errno(), 'netns leave', netns);
    }
  } finally {
    fs.closeSync(self);
    fs.closeSync(target);
  }
}
