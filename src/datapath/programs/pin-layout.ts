import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BPFFS_MOUNT, isBpffs, machineBpffsPath } from './machine-bpffs.js';

export const DEFAULT_BPFFS_ROOT = '/sys/fs/bpf/gitwire';

/**
 * Where a node's pins live: `<root>/<node>/maps/<map>` and
 * `<root>/<node>/links/<device>_<hook>`. Everything gitwire owns on a node is
 * under this one directory, so it never touches anybody else's pins. bpffs
 * refuses names with a dot (EPERM), so dots in node names become `_`. A root
 * under /sys/fs/bpf always means the machine's bpffs, also from a private
 * mount namespace (`ip netns exec`), so pins outlive the process.
 */
export interface PinLayout {
  readonly node: string;
  readonly dir: string;
  readonly mapsDir: string;
  readonly linksDir: string;
  linkPath(ifName: string, hook: 'ingress' | 'egress'): string;
}

export function pinLayout(node: string, root: string = DEFAULT_BPFFS_ROOT): PinLayout {
  if (!/^[A-Za-z0-9._-]+$/.test(node)) throw new RangeError(`node name unusable as a directory: ${node}`);
  const dir = path.join(machineBpffsPath(root), node.replaceAll('.', '_'));
  const linksDir = path.join(dir, 'links');
  return {
    node,
    dir,
    mapsDir: path.join(dir, 'maps'),
    linksDir,
    linkPath: (ifName, hook) => path.join(linksDir, `${ifName}_${hook}`),
  };
}

/**
 * Makes sure the bpffs that holds `dir` is mounted (mounting /sys/fs/bpf if
 * not, as Cilium's agent does) and creates `dir`. Recursive mkdir is not used
 * on a missing bpffs: Node 20 spins forever on sysfs's ENOENT.
 */
export function ensurePinDir(dir: string, mountPoint = BPFFS_MOUNT): void {
  if (dir.startsWith(`${mountPoint}/`) && !isBpffs(mountPoint)) {
    execFileSync('mount', ['-t', 'bpf', 'bpf', mountPoint], { stdio: 'pipe' });
  }
  const parent = path.dirname(dir);
  if (!fs.existsSync(parent)) ensurePinDir(parent, mountPoint);
  if (!fs.existsSync(dir)) fs.mkdirSync(dir);
}
