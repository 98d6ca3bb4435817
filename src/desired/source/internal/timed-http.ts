import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { findOversizedObject } from './pack-guard.js';

/** Which limit ended a transfer. */
export type TransferLimit = 'connect' | 'idle' | 'total' | 'aborted' | 'size' | 'object';

/** Thrown from inside a transfer; mapTransportError turns it into a SourceError with the URL. */
export class TransferStopped extends Error {
  constructor(
    readonly limit: TransferLimit,
    readonly value: number,
    /** For `object`: the size of the object that was over `value`. */
    readonly found = 0,
  ) {
    super(`transfer stopped: ${limit}`);
  }
}

export interface TransferLimits {
  readonly connectMs: number;
  readonly idleMs: number;
  /** Bytes of response bodies over the whole operation. */
  readonly maxBytes: number;
  /** Largest object a fetched pack may hold, checked from the headers before isomorphic-git inflates it. */
  readonly maxObjectBytes: number;
  /** Aborted when the total timeout passes or the caller gives up. */
  readonly signal: AbortSignal;
}

export interface TimedHttpClient extends HttpClient {
  /** What cut the transfer off, if anything did. */
  stopped(): TransferStopped | undefined;
}

const MAX_REDIRECTS = 5;

/**
 * An isomorphic-git HTTP client that never waits without bound: the socket
 * must connect within `connectMs`, no byte may take longer than `idleMs`, the
 * bodies together stay under `maxBytes`, and `signal` ends everything at once
 * (the total timeout, the agent's SIGTERM). Redirects are followed only
 * within the same origin, so credentials never go to another host.
 */
export function timedHttp(limits: TransferLimits): TimedHttpClient {
  let received = 0;
  let stopped: TransferStopped | undefined;
  // isomorphic-git rewraps some failures without their cause, so the first stop is remembered here.
  const stop = (why: TransferStopped) => (stopped ??= why);
  const count = (n: number) => {
    received += n;
    if (received > limits.maxBytes) throw stop(new TransferStopped('size', limits.maxBytes));
  };
  limits.signal.addEventListener('abort', () => stop(reasonOf(limits.signal)), { once: true });
  return {
    stopped: () => stopped ?? (limits.signal.aborted ? reasonOf(limits.signal) : undefined),
    request: async (req) => {
      const body = req.body ? await collect(req.body) : undefined;
      let url = req.url;
      for (let hop = 0; ; hop++) {
        const res = await send({ ...req, url }, body, limits, stop);
        const location = res.headers.location;
        const redirect = res.statusCode !== undefined && res.statusCode >= 300 && res.statusCode < 400;
        if (!redirect || location === undefined || hop >= MAX_REDIRECTS) {
          const answer = url.endsWith('/git-upload-pack') ? checkedPack(res, count, limits, stop) : counted(res, count);
          return response(url, req, res, answer);
        }
        const next = new URL(location, url);
        if (next.origin !== new URL(url).origin) return response(url, req, res, counted(res, count));
        res.resume();
        url = next.toString();
      }
    },
  };
}

async function collect(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

function send(
  req: GitHttpRequest,
  body: Buffer | undefined,
  limits: TransferLimits,
  stop: (why: TransferStopped) => TransferStopped,
): Promise<IncomingMessage> {
  const stopped = (limit: TransferLimit, value: number) => stop(new TransferStopped(limit, value));
  if (limits.signal.aborted) return Promise.reject(reasonOf(limits.signal));
  return new Promise((resolve, reject) => {
    const make = req.url.startsWith('https:') ? httpsRequest : httpRequest;
    const out = make(req.url, { method: req.method ?? 'GET', headers: req.headers, agent: false });
    const onAbort = () => out.destroy(reasonOf(limits.signal));
    limits.signal.addEventListener('abort', onAbort, { once: true });
    out.once('close', () => limits.signal.removeEventListener('abort', onAbort));
    out.once('socket', (socket) => {
      if (!socket.connecting) return;
      const connectTimer = setTimeout(() => out.destroy(stopped('connect', limits.connectMs)), limits.connectMs);
      const clear = () => clearTimeout(connectTimer);
      socket.once('connect', clear);
      socket.once('close', clear);
    });
    // The socket's inactivity timer covers the request, the wait for headers and every gap in the body.
    out.setTimeout(limits.idleMs, () => out.destroy(stopped('idle', limits.idleMs)));
    out.once('error', reject);
    out.once('response', resolve);
    out.end(body);
  });
}

function response(
  url: string,
  req: GitHttpRequest,
  res: IncomingMessage,
  body: AsyncIterableIterator<Uint8Array>,
): GitHttpResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    url,
    method: req.method ?? 'GET',
    headers,
    body,
    statusCode: res.statusCode ?? 0,
    statusMessage: res.statusMessage ?? '',
  };
}

async function* counted(res: IncomingMessage, count: (n: number) => void): AsyncIterableIterator<Uint8Array> {
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      count(chunk.length);
      yield chunk;
    }
  } finally {
    res.destroy();
  }
}

/** The pack response whole, passed on only once no object in it is over the limit. */
async function* checkedPack(
  res: IncomingMessage,
  count: (n: number) => void,
  limits: TransferLimits,
  stop: (why: TransferStopped) => TransferStopped,
): AsyncIterableIterator<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of counted(res, count)) parts.push(chunk);
  const body = Buffer.concat(parts);
  const oversized = findOversizedObject(body, limits.maxObjectBytes);
  if (oversized) throw stop(new TransferStopped('object', limits.maxObjectBytes, oversized.size));
  yield body;
}

function reasonOf(signal: AbortSignal): TransferStopped {
  const reason: unknown = signal.reason;
  return reason instanceof TransferStopped ? reason : new TransferStopped('aborted', 0);
}
