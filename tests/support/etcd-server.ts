import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { makeTempDir, removeDir } from './git-fixtures.js';

export interface EtcdServer {
  /** Client URL, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; released right away for etcd to bind). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts Debian's `etcd` (installed by scripts/setup.sh) on 127.0.0.1 with
 * ephemeral client and peer ports and a temporary data directory; short
 * heartbeat and election timeouts make it elect itself within a second.
 */
export async function startEtcd(): Promise<EtcdServer> {
  const dir = makeTempDir('gitwire-etcd-');
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name',
      'gwtest',
      '--data-dir',
      dir,
      '--listen-client-urls',
      endpoint,
      '--advertise-client-urls',
      endpoint,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `gwtest=${peerUrl}`,
      '--heartbeat-interval',
      '10',
      '--election-timeout',
      '100',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    removeDir(dir);
  };
  try {
    await waitHealthy(endpoint, child, () => log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, stop };
}

async function waitHealthy(endpoint: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${endpoint}/health`);
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${endpoint} did not become healthy:\n${log()}`);
}
