import type { MonitoredEvent } from '../agent/index.js';

export const EVENT_TYPES = ['drop', 'verdict', 'l7'] as const;
export const VERDICTS = ['allow', 'deny', 'audit'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What `gitwire monitor` keeps; every field set must match (absent fields match everything). */
export interface EventFilterSpec {
  readonly type?: readonly (typeof EVENT_TYPES)[number][];
  readonly verdict?: readonly Verdict[];
  /** `key=value` or `source:key=value` labels the sender's identity must all carry. */
  readonly fromLabels?: readonly string[];
  readonly toLabels?: readonly string[];
  readonly port?: number;
}

/** identity number → its sorted `source:key=value` labels, from the compiled state. */
export type IdentityLabels = ReadonlyMap<number, readonly string[]>;

/** A malformed filter flag, refused before the monitor opens. */
export class EventFilterError extends Error {
  readonly code = 'E_MONITOR_FILTER';
  constructor(
    readonly flag: string,
    readonly value: string,
    expected: string,
  ) {
    super(`${flag} '${value}': expected ${expected}`);
    this.name = 'EventFilterError';
  }
}

/** Checks a `--from-label`/`--to-label` value: `key=value`, optionally prefixed with the label source. */
export function parseLabel(flag: string, value: string): string {
  if (!/^([\w.-]+:)?[\w./-]+=[^\s=]*$/.test(value)) throw new EventFilterError(flag, value, 'key=value');
  return value;
}

/**
 * The predicate for a filter spec. An audit event is a verdict (the policy
 * would have dropped, the packet passed); the sender and receiver are the
 * packet's source and destination identities, whatever the hook.
 */
export function eventFilter(spec: EventFilterSpec, identities: IdentityLabels): (m: MonitoredEvent) => boolean {
  const fromLabels = spec.fromLabels ?? [];
  const toLabels = spec.toLabels ?? [];
  return (m) => {
    const e = m.event;
    const type: string = e.type;
    if (spec.type && !spec.type.some((t) => t === type || (t === 'verdict' && type === 'audit'))) return false;
    if (spec.verdict && !spec.verdict.includes(verdictOf(type))) return false;
    if (spec.port !== undefined && (e.protocol === 1 || e.dport !== spec.port)) return false;
    if (!carries(identities.get(e.srcIdentity), fromLabels)) return false;
    return carries(identities.get(e.dstIdentity), toLabels);
  };
}

/** The outcome of an event: a drop denies, an audit would have denied, the rest allow. */
export function verdictOf(type: string): Verdict {
  return type === 'drop' ? 'deny' : type === 'audit' ? 'audit' : 'allow';
}

/** A wanted `k=v` matches a label of any source (`k8s:k=v`); `src:k=v` only that source. */
function carries(labels: readonly string[] | undefined, wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  if (!labels) return false;
  return wanted.every((w) => labels.some((l) => l === w || (!w.includes(':') && l.slice(l.indexOf(':') + 1) === w)));
}
