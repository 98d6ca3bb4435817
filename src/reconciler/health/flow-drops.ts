import type { HealthCheckValue } from '../../desired/index.js';
import type { CheckResult } from './check-result.js';
import type { ProbedFlow } from './probed-flow.js';

/** A flow the agent's records hold as dropped: its total since recording began, and why. */
export interface DroppedFlow extends ProbedFlow {
  readonly count: number;
  /** Reason and rule of its latest drop (`denied-policy, policy default/rule1 (policy.yaml:4)`); null when unknown. */
  readonly why: string | null;
}

/** The node's dropped flows, pending events included; null when the agent records no flows. */
export type FlowDropLookup = () => Promise<readonly DroppedFlow[] | null>;

const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp' };
const NAME = 'builtin:flow-drops';
const EXPECTED = 'no datapath drop';

/** Why the per-flow check could not run on any probe: reported, never a silent pass. */
export function flowDropsNotRun(why: string): CheckResult {
  const got = `not run: ${why}`;
  return {
    name: NAME,
    from: null,
    to: 'probed flows',
    probe: 'flow records',
    expected: EXPECTED,
    got,
    passed: true,
    source: null,
    skipped: true,
  };
}

/**
 * The per-flow check of one expect-allow probe: the drops of its flow
 * recorded between `before` (taken as the probes started) and `after`. It
 * fails on any, even when the probe got through (retransmits), naming them.
 */
export function flowDropsResult(
  c: HealthCheckValue,
  flow: ProbedFlow | string,
  before: readonly DroppedFlow[] | null,
  after: readonly DroppedFlow[] | null,
): CheckResult {
  const base = { name: NAME, from: c.from, to: c.to, probe: 'flow records', expected: EXPECTED };
  const source = `${c.file}:${c.line}`;
  const notRun = (why: string): CheckResult => ({
    ...base,
    got: `not run: ${why}`,
    passed: true,
    source,
    skipped: true,
  });
  if (typeof flow === 'string') return notRun(flow);
  if (!before || !after) return notRun('no flow records to read');
  const was = before.find((d) => sameFlow(d, flow))?.count ?? 0;
  const now = after.find((d) => sameFlow(d, flow));
  const dropped = (now?.count ?? 0) - was;
  if (!now || dropped <= 0) return { ...base, got: 'none', passed: true, source };
  const proto = PROTOCOLS[flow.protocol] ?? `proto-${flow.protocol}`;
  const why = now.why ? ` (${now.why})` : '';
  const got = `datapath dropped ${dropped} packets of ${c.from} → ${c.to} ${flow.port}/${proto}${why}`;
  return { ...base, got, passed: false, source };
}

function sameFlow(a: ProbedFlow, b: ProbedFlow): boolean {
  return (
    a.srcIdentity === b.srcIdentity && a.dstIdentity === b.dstIdentity && a.port === b.port && a.protocol === b.protocol
  );
}
