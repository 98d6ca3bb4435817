import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** What the server exposes: prom-client's exposition text and its content type. */
export interface MetricsSource {
  render(): Promise<string>;
  readonly contentType: string;
}

/** Serves `/metrics` (prom-client's exposition) on HOST:PORT; port 0 picks a free one. */
export async function startMetricsServer(addr: string, source: MetricsSource): Promise<MetricsServer> {
  const { host, port } = parseAddr(addr);
  const server = createServer((req, res) => {
    if (req.url !== '/metrics' && req.url !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    source.render().then(
      (body) => res.writeHead(200, { 'Content-Type': source.contentType }).end(body),
      (e: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${e.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `HOST:PORT`, `:PORT` (every address) or `[v6]:PORT`. */
export function parseAddr(addr: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port > 65535)
    throw new RangeError(`invalid --metrics-addr '${addr}': expected HOST:PORT, e.g. 0.0.0.0:9963`);
  const host = m[1] ?? m[2];
  return { host: host ? host : undefined, port };
}
