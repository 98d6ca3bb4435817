import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Agent, type buildConnector } from 'undici';
import type { Direction } from '../../desired/desired-state.js';
import type { L7RuleSet } from '../../desired/compile/l7/index.js';
import type { RuleMatch } from './internal/compiled-http-rule.js';
import { requestHeaders, responseHeaders } from './internal/forward-headers.js';
import { L7Policy } from './l7-policy.js';
import type { L7VerdictEvent } from './l7-verdict-event.js';
import type { ProxyResolution, ProxyResolver } from './proxy-resolver.js';

export interface HttpProxyOptions {
  /** The direction this listener serves (Cilium runs one HTTP listener per direction). */
  readonly direction: Direction;
  readonly resolver: ProxyResolver;
  readonly rules: readonly L7RuleSet[];
  readonly onVerdict?: (event: L7VerdictEvent) => void;
  /** How upstream connections are opened (default: undici's own); see markedUpstream. */
  readonly upstreamConnect?: buildConnector.connector;
}

const DENIED_BODY = 'Access denied';
const H2C_REASON = 'HTTP/2 cleartext (h2c) is not supported by the gitwire L7 proxy; use HTTP/1.1';

/**
 * A transparent HTTP/1.1 proxy enforcing L7 rules: Node's own parser reads
 * requests, undici forwards the allowed ones to the original destination,
 * streaming both bodies. Denied requests get 403 `Access denied` on a
 * connection that stays open; requests it cannot parse are refused and the
 * connection closed, so nothing passes unchecked.
 */
export class HttpProxy {
  private readonly server: Server;
  private readonly upstream: Agent;
  private readonly connections = new WeakMap<Socket, ProxyResolution>();
  private policy: L7Policy;

  constructor(private readonly opts: HttpProxyOptions) {
    this.policy = new L7Policy(opts.rules);
    this.upstream = new Agent({
      keepAliveTimeout: 10_000,
      ...(opts.upstreamConnect ? { connect: opts.upstreamConnect } : {}),
    });
    this.server = createServer();
    this.server.on('connection', (s: Socket) => this.onConnection(s));
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res, false));
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res, true));
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket) => this.onUpgrade(req, socket));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await this.listenWith((done) => this.server.listen(port, host, done));
    return this.server.address() as AddressInfo;
  }

  /** Serves a listening socket made elsewhere (a transparent listener); the server owns the fd from here. */
  async listenOnFd(fd: number): Promise<void> {
    await this.listenWith((done) => this.server.listen({ fd }, done));
  }

  private listenWith(start: (done: () => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      start(() => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Whether it still accepts connections: false once closed (or never started). */
  get listening(): boolean {
    return this.server.listening;
  }

  /** Takes effect from each connection's next request; connections stay open. */
  setRules(rules: readonly L7RuleSet[]): void {
    this.policy = new L7Policy(rules);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    await this.upstream.destroy();
  }

  private onConnection(socket: Socket): void {
    let resolution: ProxyResolution | null;
    try {
      resolution = this.opts.resolver.resolve(socket);
    } catch {
      resolution = null;
    }
    // A connection the datapath did not redirect (or cannot tell about) has no identity to check: fail closed.
    if (!resolution) socket.destroy();
    else this.connections.set(socket, resolution);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    const conn = this.connections.get(req.socket);
    const method = req.method ?? '';
    const path = req.url ?? '';
    if (!conn) {
      res.destroy();
      return;
    }
    const { direction } = this.opts;
    const target = {
      address: direction === 'ingress' ? conn.originalDst.address : (req.socket.remoteAddress ?? ''),
      direction,
      identity: conn.identity,
      port: conn.originalDst.port,
    };
    const match = this.policy.decide(target, { method, url: path, headers: req.headers });
    const event = { direction, identity: conn.identity, method, path, mismatches: match?.mismatches ?? [] };
    if (!match) {
      // After an unanswered 100-continue the client may or may not send its body: close rather than guess.
      if (expectContinue) res.shouldKeepAlive = false;
      res.writeHead(403, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(DENIED_BODY) });
      res.end(DENIED_BODY);
      this.emit({ ...event, status: 403, verdict: 'denied', rule: null, reason: null });
      return;
    }
    if (expectContinue) res.writeContinue();
    void this.forward(req, res, conn, match).then(
      (status) => this.emit({ ...event, status, verdict: 'forwarded', rule: match.rule, reason: null }),
      (err: Error) => this.upstreamFailed(res, { ...event, rule: match.rule }, err),
    );
  }

  /**
   * Streams the request to the original destination and the response straight
   * into the client's; resolves with the status. undici's stream() destroys the
   * response if the upstream body fails (a truncated body never looks complete)
   * and aborts the upstream request if the client goes away first.
   */
  private async forward(req: IncomingMessage, res: ServerResponse, conn: ProxyResolution, match: RuleMatch) {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const { address, port } = conn.originalDst;
    await this.upstream.stream(
      {
        origin: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
        path: req.url ?? '/',
        method: req.method as 'GET',
        headers: requestHeaders(req.rawHeaders, match.edits),
        body: hasBody ? req : null,
      },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, responseHeaders(headers));
        return res;
      },
    );
    return res.statusCode;
  }

  private upstreamFailed(
    res: ServerResponse,
    event: Omit<L7VerdictEvent, 'status' | 'verdict' | 'reason'>,
    err: Error,
  ): void {
    if (res.headersSent) {
      res.destroy();
      this.emit({ ...event, status: res.statusCode, verdict: 'error', reason: `upstream: ${err.message}` });
      return;
    }
    const body = 'Bad Gateway';
    res.writeHead(502, { 'content-type': 'text/plain', 'content-length': body.length, connection: 'close' });
    res.end(body);
    this.emit({ ...event, status: 502, verdict: 'error', reason: `upstream: ${err.message}` });
  }

  private onUpgrade(req: IncomingMessage, socket: Socket): void {
    const h2c = String(req.headers.upgrade ?? '').toLowerCase() === 'h2c';
    const reason = h2c ? H2C_REASON : `protocol upgrade to "${req.headers.upgrade}" is not supported by the L7 proxy`;
    this.refuse(socket, 501, 'Not Implemented', reason, req.method ?? '', req.url ?? '');
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    if (err.code === 'HPE_PAUSED_H2_UPGRADE') {
      this.refuse(socket, 505, 'HTTP Version Not Supported', H2C_REASON, 'PRI', '*');
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const reason = `unparsable request (${err.code ?? err.message}); refused, not forwarded`;
    this.refuse(
      socket,
      tooLarge ? 431 : 400,
      tooLarge ? 'Request Header Fields Too Large' : 'Bad Request',
      reason,
      '',
      '',
    );
  }

  /** Answers on the raw socket and closes it: the parser cannot be trusted to find the next request. */
  private refuse(socket: Socket, status: number, text: string, reason: string, method: string, path: string): void {
    const body = `${reason}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
    const conn = this.connections.get(socket);
    this.emit({
      direction: this.opts.direction,
      identity: conn?.identity ?? null,
      method,
      path,
      status,
      verdict: 'refused',
      rule: null,
      mismatches: [],
      reason,
    });
  }

  private emit(event: L7VerdictEvent): void {
    this.opts.onVerdict?.(event);
  }
}
