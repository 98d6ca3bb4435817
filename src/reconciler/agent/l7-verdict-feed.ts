import { mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { L7VerdictEvent } from '../../datapath/proxy/index.js';
import { DEFAULT_LOCK_DIR } from '../node-lock.js';

/** An L7 verdict as the monitor streams it: the proxy's event and when it was decided. */
export interface MonitoredL7Verdict {
  readonly verdict: L7VerdictEvent;
  readonly time: Date;
}

/**
 * Where a node's agent serves its L7 verdicts: beside its lock, on tmpfs,
 * because the proxy runs in the agent's process and the ring buffer the
 * monitor reads is the kernel's alone.
 */
export function l7FeedPath(node: string, dir: string = DEFAULT_LOCK_DIR): string {
  return join(dir, `${node}.l7.sock`);
}

/**
 * The agent's side: a unix socket that writes each verdict as one JSON line to
 * every monitor connected now. Nothing is kept for a monitor that connects
 * later, as with the ring buffer: a monitor sees what happens while it runs.
 */
export class L7VerdictFeed {
  private readonly clients = new Set<Socket>();

  private constructor(private readonly server: Server) {
    server.on('connection', (s: Socket) => {
      this.clients.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => this.clients.delete(s));
    });
  }

  /** Serves at `path`; a socket file an earlier agent left is replaced (the node lock makes this agent the only one). */
  static async listen(path: string): Promise<L7VerdictFeed> {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new L7VerdictFeed(server);
  }

  publish(verdict: L7VerdictEvent): void {
    const line = JSON.stringify({ ...verdict, time: new Date().toISOString() }) + '\n';
    for (const s of this.clients) s.write(line);
  }

  async close(): Promise<void> {
    const path = this.server.address();
    for (const s of this.clients) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (typeof path === 'string') rmSync(path, { force: true });
  }
}

/**
 * The monitor's side: reads the agent's feed, if an agent serves one, until
 * the returned function closes it. No agent (no socket): no L7 verdicts, the
 * datapath's events still flow.
 */
export function followL7Feed(path: string, onVerdict: (m: MonitoredL7Verdict) => void): () => void {
  const socket = createConnection(path);
  socket.on('error', () => socket.destroy());
  createInterface({ input: socket }).on('line', (line) => {
    const { time, ...verdict } = JSON.parse(line) as L7VerdictEvent & { time: string };
    onVerdict({ verdict, time: new Date(time) });
  });
  return () => socket.destroy();
}
