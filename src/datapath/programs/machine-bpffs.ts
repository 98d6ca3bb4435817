import fs from 'node:fs';
import { StalledError } from '../net/stalled-error.js';

export const BPFFS_MOUNT = '/sys/fs/bpf';
export const BPF_FS_MAGIC = 0xcafe4a11;

// `ip netns exec NODE gitwire …` runs gitwire in a private mount namespace
// whose /sys is a fresh sysfs: a bpffs mounted there dies with the process,
// and with it every map and tcx link pinned in it. The machine's bpffs is
// then reached through an ancestor still in the machine's mount namespace,
// held by a directory descriptor so it stays reachable if that ancestor exits.

const reached = new Map<string, string>();

/**
 * `root` (a directory under /sys/fs/bpf) as a path that lands in the
 * machine's bpffs from whatever mount namespace gitwire runs in: `root`
 * itself when /sys/fs/bpf here is bpffs or this is the machine's own mount
 * namespace (where ensurePinDir may mount it), else the same directory
 * through an ancestor's root. Throws a StalledError when gitwire runs in a
 * private mount namespace and no ancestor shows a bpffs.
 */
export function machineBpffsPath(root: string): string {
  if (root !== BPFFS_MOUNT && !root.startsWith(`${BPFFS_MOUNT}/`)) return root;
  if (isBpffs(BPFFS_MOUNT)) return root;
  const own = mountNs('self');
  let privateNs = false;
  for (const pid of ancestors()) {
    const ns = mountNs(String(pid));
    if (ns === null || ns === own) continue;
    privateNs = true;
    const mount = `/proc/${pid}/root${BPFFS_MOUNT}`;
    if (!isBpffs(mount)) continue;
    let base = reached.get(ns);
    if (base === undefined) {
      base = `/proc/self/fd/${fs.openSync(mount, 'r')}`;
      reached.set(ns, base);
    }
    return base + root.slice(BPFFS_MOUNT.length);
  }
  if (!privateNs) return root;
  throw new StalledError(
    'pin',
    `${BPFFS_MOUNT} in gitwire's mount namespace is not the machine's bpffs (gitwire runs under ` +
      '`ip netns exec` or another private mount namespace) and no parent process shows one: pins made here ' +
      'would vanish when gitwire exits. Mount the bpffs on the machine (mount -t bpf bpf /sys/fs/bpf), or run ' +
      'gitwire from the machine mount namespace with --netns NODE instead of under ip netns exec',
    { mount: BPFFS_MOUNT },
  );
}

export function isBpffs(dir: string): boolean {
  try {
    return fs.statfsSync(dir).type === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

function mountNs(pid: string): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

/** Parent, grandparent, … then PID 1. */
function* ancestors(): Generator<number> {
  for (let pid = process.ppid; pid > 1; pid = parentOf(pid)) yield pid;
  yield 1;
}

function parentOf(pid: number): number {
  try {
    const m = /^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}
