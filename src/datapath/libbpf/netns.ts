import { withThreadIn } from '../netlink/index.js';
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
