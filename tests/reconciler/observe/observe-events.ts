import { eventCodec, type DatapathEvent } from '../../../src/datapath/maps/index.js';
import type { RuleRef } from '../../../src/desired/index.js';
import type { MonitoredEvent } from '../../../src/reconciler/agent/index.js';

// Events as the ring buffer hands them over: encoded gw_event records, decoded by the real codec.

export const XWING = 1001;
export const TIEFIGHTER = 1002;
export const DEATHSTAR = 1003;
export const identities = new Map<number, readonly string[]>([
  [XWING, ['k8s:class=xwing', 'k8s:org=alliance']],
  [TIEFIGHTER, ['k8s:class=tiefighter', 'k8s:org=empire']],
  [DEATHSTAR, ['k8s:class=deathstar', 'k8s:org=empire']],
]);

export const RULE: RuleRef = {
  id: 1,
  kind: 'CiliumNetworkPolicy',
  namespace: 'default',
  name: 'rule1',
  path: 'spec.ingress[0]',
  file: 'policies/rule1.yaml',
  line: 14,
};

/** A tiefighter → deathstar TCP/80 packet allowed by rule1: what the events of a test vary. */
export const baseEvent: DatapathEvent = {
  timestampNs: 123456789012345n,
  type: 'verdict',
  reason: 'allowed',
  direction: 'ingress',
  endpointId: 7,
  ifindex: 3,
  srcIdentity: TIEFIGHTER,
  dstIdentity: DEATHSTAR,
  saddr: '10.0.1.20',
  daddr: '10.0.1.10',
  sport: 40000,
  dport: 80,
  protocol: 6,
  verdict: 'allow',
  ruleId: 1,
  length: 60,
};

export function allowed(time = new Date(1_700_000_000_000)): MonitoredEvent {
  return { event: eventCodec.decode(eventCodec.encode(baseEvent)), rule: RULE, time };
}

/** An xwing dropped by the default deny that rule1 put the deathstar into. */
export function dropped(time = new Date(1_700_000_000_000)): MonitoredEvent {
  const event = eventCodec.decode(
    eventCodec.encode({
      ...baseEvent,
      type: 'drop',
      reason: 'denied-default',
      verdict: null,
      ruleId: 0,
      srcIdentity: XWING,
      saddr: '10.0.1.30',
    }),
  );
  return { event, rule: null, time, enforcedBy: [RULE] };
}
