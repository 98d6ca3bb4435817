import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyPushWebhook, type PushEvent } from './push-webhook.js';

const MAX_BODY = 1024 * 1024;

export interface WebhookServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Receives push webhooks on `host:port` (POST, any path), answers 202 for a
 * verified push and hands it to `onPush`; 401 for a missing or wrong
 * signature, 400 for a malformed body, 413 past 1 MiB, 405 for other methods.
 */
export async function startWebhookServer(
  host: string,
  port: number,
  secret: string,
  onPush: (push: PushEvent) => void,
  log: (line: string) => void = () => undefined,
): Promise<WebhookServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      const verdict = verifyPushWebhook(req.headers, Buffer.concat(chunks), secret);
      if (!verdict.accepted) {
        log(`webhook refused (${verdict.status}): ${verdict.reason}`);
        res.writeHead(verdict.status, { 'Content-Type': 'text/plain' }).end(verdict.reason + '\n');
        return;
      }
      log(`webhook: ${verdict.push.provider} push of ${verdict.push.ref} to ${verdict.push.commit.slice(0, 12)}`);
      res.writeHead(202, { 'Content-Type': 'text/plain' }).end('accepted\n');
      onPush(verdict.push);
    });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
