import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

// Throwaway network namespaces and veth pairs for kernel tests. Names are
// unique per process (prefix + pid + counter) and stay within the 15
// characters an interface name allows.

let counter = 0;

export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter.toString(36)}`.slice(0, 15);
}

export function run(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function createNetns(name: string): void {
  run('ip', ['netns', 'add', name]);
  run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Idempotent: an absent namespace is fine. */
export function deleteNetns(name: string): void {
  try {
    run('ip', ['netns', 'del', name]);
  } catch {
    // already gone
  }
}

/** Creates namespaces named after `prefix`, runs `fn`, and deletes them even when it throws. */
export async function withNetns<T>(prefix: string, count: number, fn: (names: string[]) => Promise<T> | T): Promise<T> {
  const names = Array.from({ length: count }, () => uniqueName(prefix));
  try {
    for (const n of names) createNetns(n);
    return await fn(names);
  } finally {
    for (const n of names) deleteNetns(n);
  }
}

export interface VethEnd {
  readonly netns: string;
  readonly name: string;
  /** Addresses with prefix length, e.g. `10.77.0.1/24`. */
  readonly addresses?: readonly string[];
}

/** A veth pair between two namespaces, both ends up and addressed. */
export function makeVethPair(a: VethEnd, b: VethEnd): void {
  run('ip', ['-n', a.netns, 'link', 'add', a.name, 'type', 'veth', 'peer', 'name', b.name, 'netns', b.netns]);
  for (const end of [a, b]) {
    for (const addr of end.addresses ?? []) run('ip', ['-n', end.netns, 'addr', 'add', addr, 'dev', end.name]);
    run('ip', ['-n', end.netns, 'link', 'set', end.name, 'up']);
  }
}

/** Runs a command inside a namespace and returns its stdout; throws on a non-zero exit. */
export function execIn(netns: string, cmd: readonly string[]): string {
  return run('ip', ['netns', 'exec', netns, ...cmd]);
}

/** Starts a long-running command inside a namespace (a server); kill it when done. */
export function spawnIn(netns: string, cmd: readonly string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', netns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function succeeds(netns: string, cmd: readonly string[]): boolean {
  try {
    execIn(netns, cmd);
    return true;
  } catch {
    return false;
  }
}

/** A TCP handshake from `netns` (optionally from a source address) completes within the wait. */
export function tcpConnects(netns: string, address: string, port: number, source?: string, waitS = 2): boolean {
  return succeeds(netns, ['nc', '-z', '-w', String(waitS), ...(source ? ['-s', source] : []), address, String(port)]);
}

/** One echo request from `netns` gets its reply within the wait. */
export function pings(netns: string, address: string, source?: string, waitS = 2): boolean {
  return succeeds(netns, ['ping', '-c', '1', '-W', String(waitS), ...(source ? ['-I', source] : []), address]);
}

/**
 * Listens on TCP ports inside a namespace (accepting and closing), until the
 * returned stop() is called. Resolves once every port is listening.
 */
export async function listenTcp(netns: string, ports: readonly number[]): Promise<{ stop: () => void }> {
  const script = `const net=require('net');let n=0;for(const p of ${JSON.stringify(ports)}){net.createServer(s=>s.end()).listen(p,'0.0.0.0',()=>{if(++n===${ports.length})console.log('ready')})}`;
  const child = spawnIn(netns, [process.execPath, '-e', script]);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`listener in ${netns} exited with ${code}`)));
  });
  return { stop: () => child.kill('SIGKILL') };
}
