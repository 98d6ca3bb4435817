import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveGitHttpBackend } from '../../src/reconciler/cluster/local/git-http-server.js';

export interface GitHttpServerOptions {
  /** Directory whose bare repositories are served: `<root>/<name>` is `url(name)`. */
  readonly root: string;
  /** Require `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Require HTTP basic credentials. When both are set, either is accepted. */
  readonly basic?: { readonly username: string; readonly password: string };
  /** Let clients fetch any commit by SHA (uploadpack.allowAnySHA1InWant), not just branch and tag tips. */
  readonly allowAnySha?: boolean;
  /** Listen on this port (to come back where an outage left off); default an ephemeral one. */
  readonly port?: number;
}

/** One request the server answered, for tests that assert what went over the wire. */
export interface GitHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
}

export interface GitHttpServer {
  readonly port: number;
  /** The clone URL of repository `name` (a path under root, e.g. `config.git`). */
  url(name: string): string;
  readonly requests: readonly GitHttpRequest[];
  close(): Promise<void>;
}

/**
 * Serves bare repositories over git's smart HTTP protocol by running
 * `git http-backend` as a CGI program, on 127.0.0.1 with an ephemeral port.
 */
export async function startGitHttpServer(opts: GitHttpServerOptions): Promise<GitHttpServer> {
  const children = new Set<ChildProcess>();
  const requests: GitHttpRequest[] = [];
  const server = createServer((req, res) => {
    if (!authorized(req, opts)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="gitwire-test"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', status: 401, bytes: 0 });
      return;
    }
    runBackend(req, res, opts, children, requests);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    requests,
    close: async () => {
      for (const child of children) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function authorized(req: IncomingMessage, opts: GitHttpServerOptions): boolean {
  if (opts.token === undefined && opts.basic === undefined) return true;
  const header = req.headers.authorization ?? '';
  if (opts.token !== undefined && header === `Bearer ${opts.token}`) return true;
  if (opts.basic !== undefined) {
    const expected = Buffer.from(`${opts.basic.username}:${opts.basic.password}`).toString('base64');
    if (header === `Basic ${expected}`) return true;
  }
  return false;
}

function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  opts: GitHttpServerOptions,
  children: Set<ChildProcess>,
  requests: GitHttpRequest[],
): void {
  const anySha: Record<string, string> = opts.allowAnySha
    ? { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'uploadpack.allowAnySHA1InWant', GIT_CONFIG_VALUE_0: 'true' }
    : {};
  serveGitHttpBackend(req, res, {
    root: opts.root,
    children,
    env: { REMOTE_USER: req.headers.authorization ? 'gitwire-test' : '', ...anySha },
    onDone: ({ status, bytes }) => requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', status, bytes }),
  });
}
