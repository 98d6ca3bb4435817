import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GitHttpServer } from './git-http-server.js';

/** How the hostile server treats the responses it passes on. */
export type HostileMode =
  /** One byte of the real answer every `everyMs`: never silent long enough for an idle timeout. */
  | { readonly kind: 'drip'; readonly everyMs: number }
  /** The headers and the first `bytes` bytes of the real answer, then silence with the socket held open. */
  | { readonly kind: 'stall'; readonly bytes: number };

export interface HostileGitServerOptions {
  /** A real git server whose answers are passed on. */
  readonly upstream: GitHttpServer;
  readonly mode: HostileMode;
  /** Which requests to misbehave on: the ref advertisement (GET) or the pack (POST). */
  readonly on: 'refs' | 'pack';
}

export interface HostileGitServer {
  url(name: string): string;
  /** Requests that reached it so far. */
  readonly hits: () => number;
  close(): Promise<void>;
}

/**
 * A proxy in front of a real `git http-backend` server that answers correctly
 * but too slowly (a drip) or not at all (a stall), on 127.0.0.1.
 */
export async function startHostileGitServer(opts: HostileGitServerOptions): Promise<HostileGitServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    const hostile = (opts.on === 'refs') === (req.method === 'GET');
    const up = request(
      { host: '127.0.0.1', port: opts.upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!hostile) return void answer.pipe(res);
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => misbehave(Buffer.concat(chunks), res, opts.mode, timers));
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    hits: () => hits,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function misbehave(body: Buffer, res: ServerResponse, mode: HostileMode, timers: Set<NodeJS.Timeout>): void {
  res.flushHeaders();
  if (mode.kind === 'stall') {
    res.write(body.subarray(0, mode.bytes));
    return;
  }
  let at = 0;
  const timer = setInterval(() => {
    if (at >= body.length || res.destroyed) {
      clearInterval(timer);
      timers.delete(timer);
      res.end();
      return;
    }
    res.write(body.subarray(at, ++at));
  }, mode.everyMs);
  timers.add(timer);
}
