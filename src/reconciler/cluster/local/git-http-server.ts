import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  readonly port: number;
  /** Clone URL of the repository at `<root>/<name>`. */
  url(name: string): string;
  close(): Promise<void>;
}

/**
 * Serves the bare repositories under `root` read-only over git's smart HTTP
 * protocol, on 127.0.0.1, by running `git http-backend` as a CGI program per
 * request. Pushes are refused: the local cluster commits into the bare
 * repository directly.
 */
export async function startGitHttpServer(root: string, port = 0): Promise<GitHttpServer> {
  const children = new Set<ChildProcess>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.endsWith('/git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack') {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('this server is read-only\n');
      return;
    }
    serveGitHttpBackend(req, res, { root, children });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: (name) => `http://127.0.0.1:${bound}/${name}`,
    close: async () => {
      for (const child of children) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What one answered request came to, for servers that log or count them. */
export interface CgiOutcome {
  readonly status: number;
  readonly bytes: number;
}

/**
 * Answers one smart-HTTP request by running `git http-backend` as a CGI
 * program over the repositories under `root`: the request body to its stdin,
 * its headers (`Status:` included) and body back. `env` adds CGI variables
 * (git config for the backend, REMOTE_USER).
 */
export function serveGitHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  opts: {
    readonly root: string;
    readonly children: Set<ChildProcess>;
    readonly env?: Readonly<Record<string, string>>;
    readonly onDone?: (outcome: CgiOutcome) => void;
  },
): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_PROJECT_ROOT: opts.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: req.headers['content-length'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      ...opts.env,
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  opts.children.add(cgi);
  req.pipe(cgi.stdin);
  cgi.stdin.on('error', () => undefined);
  let head = Buffer.alloc(0);
  let status = 200;
  let bytes = 0;
  let sent = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (sent) {
      bytes += chunk.length;
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    // CGI output: header lines, a blank line, the body; `Status:` sets the HTTP status.
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    sent = true;
    const body = head.subarray(end + 4);
    bytes += body.length;
    res.write(body);
  });
  cgi.on('close', () => {
    opts.children.delete(cgi);
    if (!sent) res.writeHead(502);
    res.end();
    opts.onDone?.({ status: sent ? status : 502, bytes });
  });
}
