import type { DatapathEvent } from '../../datapath/maps/index.js';
import type { RuleRef } from '../../desired/index.js';
import type { EventFilterSpec } from '../flows/event-filter.js';
import type { FlowRecord } from '../flows/flow-store.js';
import type { MonitoredL7Verdict } from './l7-verdict-feed.js';
import type { MonitoredEvent } from './monitor.js';

/** An agent answered with an error status (401: the token is missing or wrong). */
export class ObserveRequestError extends Error {
  readonly code = 'E_OBSERVE_REQUEST';
  constructor(
    readonly endpoint: string,
    readonly status: number,
    detail: string,
  ) {
    super(
      status === 401
        ? `${endpoint}: the agent refused the token (401): set $GITWIRE_OBSERVE_TOKEN or --observe-token-file`
        : `${endpoint}: HTTP ${status}${detail ? `: ${detail}` : ''}`,
    );
    this.name = 'ObserveRequestError';
  }
}

/** One line of an agent's stream, decoded; `json` is the line as the agent sent it (with its node). */
export type ObservedLine =
  | { readonly kind: 'event'; readonly node: string; readonly event: MonitoredEvent; readonly json: string }
  | { readonly kind: 'l7'; readonly node: string; readonly verdict: MonitoredL7Verdict; readonly json: string }
  | {
      readonly kind: 'lost';
      readonly node: string;
      readonly source: string;
      readonly lost: number;
      readonly json: string;
    };

export interface StreamAgentOptions {
  /** The agent's observe URL, e.g. `http://10.0.0.1:9964`. */
  readonly endpoint: string;
  readonly token: string | null;
  /** Applied by the agent, before anything crosses the network. */
  readonly filter?: EventFilterSpec;
  readonly onLine: (line: ObservedLine) => void;
  readonly signal?: AbortSignal;
}

/** The flow records an agent saw in the last `sinceSeconds` (all it keeps when null), most recent first. */
export async function fetchAgentFlows(
  endpoint: string,
  token: string | null,
  sinceSeconds: number | null,
): Promise<FlowRecord[]> {
  const query = sinceSeconds === null ? '' : `?since=${sinceSeconds}`;
  const res = await fetch(`${trimSlash(endpoint)}/v1/flows${query}`, { headers: authHeaders(token) });
  if (!res.ok) throw new ObserveRequestError(endpoint, res.status, await errorDetail(res));
  const rows = (await res.json()) as (Omit<FlowRecord, 'firstSeen' | 'lastSeen'> & {
    firstSeen: string;
    lastSeen: string;
  })[];
  return rows.map((r) => ({ ...r, firstSeen: new Date(r.firstSeen), lastSeen: new Date(r.lastSeen) }));
}

/** Streams an agent's events until it ends the stream (resolves) or the signal aborts (resolves too). */
export async function streamAgentEvents(opts: StreamAgentOptions): Promise<void> {
  const url = `${trimSlash(opts.endpoint)}/v1/events?${filterQuery(opts.filter ?? {}).toString()}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: authHeaders(opts.token), ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (e) {
    if (opts.signal?.aborted) return;
    throw e;
  }
  if (!res.ok) throw new ObserveRequestError(opts.endpoint, res.status, await errorDetail(res));
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for await (const chunk of res.body!) {
      pending += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim() !== '') opts.onLine(decodeObservedLine(line));
      }
    }
  } catch (e) {
    if (opts.signal?.aborted) return;
    throw e;
  }
}

/** The query parameters of a filter, as the agent reads them. */
export function filterQuery(spec: EventFilterSpec): URLSearchParams {
  const q = new URLSearchParams();
  for (const t of spec.type ?? []) q.append('type', t);
  for (const v of spec.verdict ?? []) q.append('verdict', v);
  for (const l of spec.fromLabels ?? []) q.append('from-label', l);
  for (const l of spec.toLabels ?? []) q.append('to-label', l);
  if (spec.port !== undefined) q.set('port', String(spec.port));
  return q;
}

/** Rebuilds what the agent serialized, so the CLI renders a remote event as it renders a local one. */
export function decodeObservedLine(json: string): ObservedLine {
  const o = JSON.parse(json) as Record<string, unknown> & { node: string; type: string; time: string };
  const { node, time, type } = o;
  if (type === 'lost') return { kind: 'lost', node, source: String(o.source), lost: Number(o.lost), json };
  if (type === 'l7') {
    const { node: _n, time: _t, type: _y, ...verdict } = o;
    return { kind: 'l7', node, verdict: { verdict, time: new Date(time) } as unknown as MonitoredL7Verdict, json };
  }
  const { node: _n, time: _t, policy, enforcedBy, timestampNs, ...fields } = o;
  const ref = (r: unknown): RuleRef => {
    const { qualifiedName: _q, ...rule } = r as RuleRef & { qualifiedName: string };
    return rule;
  };
  const event = { ...fields, timestampNs: BigInt(timestampNs as string) } as unknown as DatapathEvent;
  const monitored: MonitoredEvent = {
    event,
    rule: policy ? ref(policy) : null,
    time: new Date(time),
    ...(Array.isArray(enforcedBy) ? { enforcedBy: enforcedBy.map(ref) } : {}),
  };
  return { kind: 'event', node, event: monitored, json };
}

function authHeaders(token: string | null): Record<string, string> {
  return token === null ? {} : { Authorization: `Bearer ${token}` };
}

function trimSlash(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

async function errorDetail(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text.trim();
  } catch {
    return text.trim().slice(0, 200);
  }
}
