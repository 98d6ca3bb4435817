import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_LOCK_DIR } from '../node-lock.js';

/** What a running agent tells `gitwire monitor` on its machine: where it serves the node's events. */
export interface ObserveAddress {
  readonly url: string;
  readonly pid: number;
  /** Whether requests need the bearer token (the file never holds the token itself). */
  readonly tokenRequired: boolean;
}

/** Beside the node's lock (tmpfs): gone at reboot, like the agent that wrote it. */
export function observeAddressPath(node: string, dir: string = DEFAULT_LOCK_DIR): string {
  return join(dir, `${node}.observe.json`);
}

export function writeObserveAddress(path: string, address: ObserveAddress): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(address) + '\n', { mode: 0o600 });
}

export function removeObserveAddress(path: string): void {
  rmSync(path, { force: true });
}

/** The address of the node's agent if one that still runs wrote it; null otherwise. */
export function readObserveAddress(path: string): ObserveAddress | null {
  let address: ObserveAddress;
  try {
    address = JSON.parse(readFileSync(path, 'utf8')) as ObserveAddress;
  } catch {
    return null;
  }
  try {
    process.kill(address.pid, 0);
  } catch (e) {
    // EPERM: it runs, as another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return address;
}
