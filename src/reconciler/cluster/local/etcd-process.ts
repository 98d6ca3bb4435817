import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface EtcdProcess {
  /** Client URL on loopback, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** PID of the running etcd (changes on restart). */
  readonly pid: number;
  stop(): Promise<void>;
  /** Starts it again on the same ports and data, as after an outage. */
  restart(): Promise<void>;
}

/**
 * Starts the machine's `etcd` (Debian's etcd-server) as a one-member cluster on
 * loopback, data in `dir`, log in `dir/etcd.log`. Short heartbeat and election
 * timeouts let it elect itself in well under a second.
 */
export async function startEtcd(dir: string, name = 'gitwire'): Promise<EtcdProcess> {
  // A port picked free can be taken by someone else before etcd binds it: pick again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(dir, name);
    } catch (e) {
      if (attempt === 3 || !(e instanceof PortTakenError)) throw e;
    }
  }
}

class PortTakenError extends Error {}

async function startOnFreePorts(dir: string, name: string): Promise<EtcdProcess> {
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const logFile = join(dir, 'etcd.log');
  const args = [
    ...['--name', name, '--data-dir', join(dir, 'data')],
    ...['--listen-client-urls', endpoint, '--advertise-client-urls', endpoint],
    ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl],
    ...['--initial-cluster', `${name}=${peerUrl}`, '--heartbeat-interval', '10', '--election-timeout', '100'],
  ];
  const launch = async (): Promise<ChildProcess> => {
    const log = openSync(logFile, 'a');
    const child = spawn('etcd', args, { stdio: ['ignore', log, log] });
    try {
      await waitHealthy(endpoint, child, logFile);
    } catch (e) {
      await stopChild(child);
      throw e;
    }
    return child;
  };
  let child = await launch();
  return {
    endpoint,
    get pid() {
      return child.pid!;
    },
    stop: () => stopChild(child),
    restart: async () => {
      await stopChild(child);
      child = await launch();
    },
  };
}

async function waitHealthy(endpoint: string, child: ChildProcess, logFile: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) {
      const log = readFileSync(logFile, 'utf8');
      if (log.slice(-2000).includes('address already in use')) throw new PortTakenError('etcd: port taken');
      throw new Error(`etcd exited with ${child.exitCode} (see ${logFile})`);
    }
    try {
      const body = (await (await fetch(`${endpoint}/health`)).json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`etcd at ${endpoint} did not become healthy in 10 s (see etcd.log)`);
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the child is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
