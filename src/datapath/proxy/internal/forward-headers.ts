import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderEdit } from './compiled-http-rule.js';

// Hop-by-hop headers (RFC 9110 7.6.1) describe one connection and are not forwarded;
// `expect` too: the proxy answers 100-continue itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

/** A client's request headers as raw name/value pairs for the upstream, with the rule's header edits applied. */
export function requestHeaders(rawHeaders: readonly string[], edits: readonly HeaderEdit[]): string[] {
  const dropped = connectionTokens(rawHeaders);
  for (const e of edits) if (e.op !== 'add') dropped.add(e.name);
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(name) && !dropped.has(name)) out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  for (const e of edits) if (e.op !== 'delete') out.push(e.name, e.value);
  return out;
}

/** An upstream response's headers for the client, without its hop-by-hop ones. */
export function responseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const raw: string[] = [];
  for (const [k, v] of Object.entries(headers)) for (const one of [v ?? []].flat()) raw.push(k, one);
  const dropped = connectionTokens(raw);
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k) && !dropped.has(k)) out[k] = v;
  return out;
}

/** Headers the Connection header names are hop-by-hop too. */
function connectionTokens(raw: readonly string[]): Set<string> {
  const tokens = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'connection') continue;
    for (const t of raw[i + 1]!.split(',')) if (t.trim()) tokens.add(t.trim().toLowerCase());
  }
  return tokens;
}
