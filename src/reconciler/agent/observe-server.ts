import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  eventFilter,
  EVENT_TYPES,
  parseLabel,
  VERDICTS,
  type EventFilterSpec,
  type IdentityLabels,
} from '../flows/event-filter.js';
import type { FlowRecord } from '../flows/flow-store.js';
import { eventJson, l7VerdictJson } from './describe-event.js';
import { followL7Feed } from './l7-verdict-feed.js';
import { parseAddr } from './metrics-server.js';
import type { ObserveHub } from './observe-server-hub.js';
import { bearerMatches, isLoopbackHost, ObserveTokenRequiredError } from './observe-server-token.js';

export interface ObserveServerOptions {
  /** HOST:PORT; port 0 picks a free one. */
  readonly addr: string;
  /** The bearer token every request must carry; null only on a loopback address. */
  readonly token: string | null;
  readonly node: string;
  readonly hub: ObserveHub;
  /** The enforced revision's identities and their labels, for the label filters. */
  readonly identities: () => IdentityLabels;
  /** The datapath's lost-event total; null before the first apply. */
  readonly lostEvents: () => number | null;
  /** The flow records last seen at most `sinceSeconds` ago (all when null), saved first. */
  readonly flows: (sinceSeconds: number | null) => Promise<readonly FlowRecord[]>;
  /** The agent's L7 verdict feed socket, followed for each stream. */
  readonly l7FeedPath?: string;
  /** How often a stream reports newly lost events (default 1 s). */
  readonly lostIntervalMs?: number;
}

export interface ObserveServer {
  readonly port: number;
  /** `http://host:port` as another machine would reach it when the host is an address. */
  readonly url: string;
  close(): Promise<void>;
}

/** A query parameter the filters do not accept. */
export class ObserveQueryError extends Error {
  readonly code = 'E_OBSERVE_QUERY';
  constructor(message: string) {
    super(message);
    this.name = 'ObserveQueryError';
  }
}

/** Bytes queued to one slow observer before its events are skipped (and reported lost) instead. */
const MAX_BUFFERED = 1 << 20;

/**
 * The agent's observe API: `GET /v1/events` streams the node's events (as
 * `gitwire monitor --output json` prints them, with the node) as NDJSON, or
 * SSE on `Accept: text/event-stream`, filtered by the query (`type`,
 * `verdict`, `from-label`, `to-label`, `port`, as monitor's flags);
 * `GET /v1/flows?since=SECONDS` returns the flow records. Every request
 * carries the bearer token; without one the server listens on loopback only.
 */
export async function startObserveServer(opts: ObserveServerOptions): Promise<ObserveServer> {
  const { host, port } = parseAddr(opts.addr);
  if (opts.token === null && !isLoopbackHost(host)) throw new ObserveTokenRequiredError(opts.addr);
  const server = createServer((req, res) => {
    if (opts.token !== null && !bearerMatches(req.headers.authorization, opts.token)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="gitwire"', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 'E_OBSERVE_UNAUTHORIZED', message: 'a valid bearer token is required' }) + '\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://agent');
    try {
      if (req.method === 'GET' && url.pathname === '/v1/events') return streamEvents(opts, req, res, url);
      if (req.method === 'GET' && url.pathname === '/v1/flows') return void sendFlows(opts, res, url);
      sendError(res, 404, 'E_OBSERVE_NOT_FOUND', `no ${req.method} ${url.pathname}: try GET /v1/events or /v1/flows`);
    } catch (e) {
      if (!(e instanceof ObserveQueryError)) throw e;
      sendError(res, 400, e.code, e.message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    port: bound,
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The filter the query asks for, with the same checks as monitor's flags. */
export function filterFromQuery(q: URLSearchParams): EventFilterSpec {
  const all = <T extends string>(name: string, allowed: readonly T[]): T[] =>
    q.getAll(name).map((v) => {
      if (!allowed.includes(v as T))
        throw new ObserveQueryError(`${name}: expected one of ${allowed.join(', ')}, got ${v}`);
      return v as T;
    });
  const labels = (name: string) =>
    q.getAll(name).map((v) => {
      try {
        return parseLabel(name, v);
      } catch (e) {
        throw new ObserveQueryError((e as Error).message);
      }
    });
  const type = all('type', EVENT_TYPES);
  const verdict = all('verdict', VERDICTS);
  const fromLabels = labels('from-label');
  const toLabels = labels('to-label');
  const port = q.get('port');
  if (port !== null && !/^\d{1,5}$/.test(port)) throw new ObserveQueryError(`port: expected 0-65535, got ${port}`);
  if (port !== null && Number(port) > 65535) throw new ObserveQueryError(`port: expected 0-65535, got ${port}`);
  return {
    ...(type.length ? { type } : {}),
    ...(verdict.length ? { verdict } : {}),
    ...(fromLabels.length ? { fromLabels } : {}),
    ...(toLabels.length ? { toLabels } : {}),
    ...(port !== null ? { port: Number(port) } : {}),
  };
}

function streamEvents(opts: ObserveServerOptions, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const spec = filterFromQuery(url.searchParams);
  const sse = url.searchParams.get('format') === 'sse' || (req.headers.accept ?? '').includes('text/event-stream');
  res.writeHead(200, {
    'Content-Type': sse ? 'text/event-stream' : 'application/x-ndjson',
    'Cache-Control': 'no-store',
  });
  res.flushHeaders();
  let skipped = 0;
  const send = (json: string) => {
    if (res.writableLength > MAX_BUFFERED) {
      skipped += 1;
      return;
    }
    // The node goes first in each object, so a merged stream reads as node-tagged lines.
    const line = `{"node":${JSON.stringify(opts.node)},${json.slice(1)}`;
    res.write(sse ? `data: ${line}\n\n` : `${line}\n`);
  };
  const unsubscribe = opts.hub.subscribe((m) => {
    if (eventFilter(spec, opts.identities())(m)) send(eventJson(m));
  });
  const wantsL7 = !spec.type || spec.type.includes('l7');
  const unfollow = wantsL7 && opts.l7FeedPath ? followL7Feed(opts.l7FeedPath, (v) => send(l7VerdictJson(v))) : null;
  let base = opts.lostEvents();
  const timer = setInterval(() => {
    const total = opts.lostEvents();
    if (total !== null && base === null) base = total;
    if (total !== null && base !== null && total > base) {
      send(JSON.stringify({ type: 'lost', source: 'ring-buffer', lost: total - base, total }));
      base = total;
    }
    if (skipped > 0 && res.writableLength <= MAX_BUFFERED) {
      const lost = skipped;
      skipped = 0;
      send(JSON.stringify({ type: 'lost', source: 'slow-reader', lost }));
    }
  }, opts.lostIntervalMs ?? 1000);
  res.on('close', () => {
    clearInterval(timer);
    unsubscribe();
    unfollow?.();
  });
}

async function sendFlows(opts: ObserveServerOptions, res: ServerResponse, url: URL): Promise<void> {
  const since = url.searchParams.get('since');
  if (since !== null && !(Number(since) > 0)) {
    sendError(res, 400, 'E_OBSERVE_QUERY', `since: expected a positive number of seconds, got ${since}`);
    return;
  }
  try {
    const flows = await opts.flows(since === null ? null : Number(since));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(flows) + '\n');
  } catch (e) {
    sendError(res, 500, 'E_OBSERVE_FLOWS', (e as Error).message);
  }
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code, message }) + '\n');
}
