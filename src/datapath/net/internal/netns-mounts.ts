import { readFileSync } from 'node:fs';

// `ip netns exec NODE gitwire …` runs gitwire in a private mount namespace
// where /run/netns is a slave of the machine's: a netns added there would
// vanish when gitwire exits, and one deleted there would stay mounted
// outside. `netns add/del` must then run in the mount namespace /run/netns
// propagates from: the nearest ancestor process holding its shared peer.

interface Propagation {
  readonly shared?: string;
  readonly master?: string;
}

function runNetnsPropagation(pid: string): Propagation | null {
  let info: string;
  try {
    info = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
  } catch {
    return null;
  }
  const line = info
    .split('\n')
    .filter((l) => l.split(' ')[4] === '/run/netns')
    .at(-1);
  if (line === undefined) return null;
  const optional = line.split(' - ')[0]?.split(' ').slice(6) ?? [];
  const tag = (name: string) => optional.find((o) => o.startsWith(`${name}:`))?.slice(name.length + 1);
  return { shared: tag('shared'), master: tag('master') };
}

function parentOf(pid: number): number {
  try {
    const m = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

/** `nsenter` prefix for `ip netns add/del`, or [] when gitwire's own mount namespace already propagates. */
export function netnsMountPrefix(): string[] {
  const own = runNetnsPropagation('self');
  if (own === null || own.master === undefined || own.shared !== undefined) return [];
  for (let pid = process.ppid; pid > 1; pid = parentOf(pid)) {
    if (runNetnsPropagation(String(pid))?.shared === own.master) {
      return ['nsenter', `--mount=/proc/${pid}/ns/mnt`, '--'];
    }
  }
  return [];
}
