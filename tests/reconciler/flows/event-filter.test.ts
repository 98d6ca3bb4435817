import { describe, expect, it } from 'vitest';
import { eventCodec, type DatapathEvent } from '../../../src/datapath/maps/index.js';
import { baseEvent, DEATHSTAR, identities, XWING } from '../observe/observe-events.js';
import type { MonitoredEvent } from '../../../src/reconciler/agent/index.js';
import {
  eventFilter,
  EventFilterError,
  parseLabel,
  type EventFilterSpec,
} from '../../../src/reconciler/flows/index.js';

// A stream as the ring buffer hands it over: encoded gw_event records, decoded by the real codec.

const raw: readonly Partial<DatapathEvent>[] = [
  {}, // 0: tiefighter -> deathstar :80 allowed
  { type: 'drop', reason: 'denied-policy', verdict: 'deny', srcIdentity: XWING, saddr: '10.0.1.30' }, // 1
  { type: 'drop', reason: 'denied-default', verdict: null, ruleId: 0, srcIdentity: XWING, dport: 443 }, // 2
  { type: 'audit', reason: 'audit', verdict: 'deny', dport: 443 }, // 3
  { type: 'verdict', reason: 'allowed', protocol: 1, dport: 80 }, // 4: ICMP type 80, not a port
  { direction: 'egress', srcIdentity: DEATHSTAR, dstIdentity: XWING, dport: 8080 }, // 5
];

const stream: MonitoredEvent[] = raw.map((r) => ({
  event: eventCodec.decode(eventCodec.encode({ ...baseEvent, ...r })),
  rule: null,
  time: new Date(0),
}));

const kept = (spec: EventFilterSpec) => stream.flatMap((m, i) => (eventFilter(spec, identities)(m) ? [i] : []));

describe('monitor filters on decoded events', () => {
  it('keeps everything without a filter', () => {
    expect(kept({})).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('--type drop keeps drops; --type verdict keeps verdicts and audits', () => {
    expect(kept({ type: ['drop'] })).toEqual([1, 2]);
    expect(kept({ type: ['verdict'] })).toEqual([0, 3, 4, 5]);
    expect(kept({ type: ['drop', 'verdict'] })).toEqual([0, 1, 2, 3, 4, 5]);
    expect(kept({ type: ['l7'] })).toEqual([]);
  });

  it('--verdict tells allowed, denied and audited flows apart', () => {
    expect(kept({ verdict: ['deny'] })).toEqual([1, 2]);
    expect(kept({ verdict: ['audit'] })).toEqual([3]);
    expect(kept({ verdict: ['allow'] })).toEqual([0, 4, 5]);
  });

  it('--from-label and --to-label match the identities of sender and receiver', () => {
    expect(kept({ fromLabels: ['class=xwing'] })).toEqual([1, 2]);
    expect(kept({ fromLabels: ['k8s:org=empire'] })).toEqual([0, 3, 4, 5]);
    expect(kept({ toLabels: ['org=alliance'] })).toEqual([5]);
    expect(kept({ fromLabels: ['org=empire', 'class=deathstar'] })).toEqual([5]);
    expect(kept({ fromLabels: ['other:org=empire'] })).toEqual([]);
  });

  it('--port matches the destination port of port protocols only', () => {
    expect(kept({ port: 80 })).toEqual([0, 1]);
    expect(kept({ port: 443, type: ['drop'] })).toEqual([2]);
  });

  it('drops events whose identity the compiled state does not know when a label is asked for', () => {
    const unknown: MonitoredEvent = { ...stream[0]!, event: { ...stream[0]!.event, srcIdentity: 99 } };
    expect(eventFilter({ fromLabels: ['org=empire'] }, identities)(unknown)).toBe(false);
    expect(eventFilter({}, identities)(unknown)).toBe(true);
  });

  it('refuses a label that is not key=value', () => {
    expect(parseLabel('--from-label', 'app.kubernetes.io/name=web')).toBe('app.kubernetes.io/name=web');
    expect(() => parseLabel('--from-label', 'org')).toThrow(EventFilterError);
    expect(() => parseLabel('--to-label', 'a b=c')).toThrow(/--to-label 'a b=c': expected key=value/);
  });
});
