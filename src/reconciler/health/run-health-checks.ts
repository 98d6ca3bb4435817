import type { HealthCheckValue } from '../../desired/index.js';
import type { CheckResult } from './check-result.js';
import { flowDropsNotRun, flowDropsResult, type DroppedFlow, type FlowDropLookup } from './flow-drops.js';
import type { ProbedFlow } from './probed-flow.js';
import type { ProbeOutcome } from './run-probe.js';

/** What the checks need from the node: probes, the datapath's drop counters, the cluster stores. */
export interface HealthDeps {
  probe(check: HealthCheckValue): Promise<ProbeOutcome>;
  /** Packets dropped so far, by reason; null while the node has no datapath to read. */
  drops(): Readonly<Record<string, number>> | null;
  /** The agent's flow records of drops; absent when it records no flows. */
  flowDrops?: FlowDropLookup;
}

/** A cluster store the node reports to; `reach` rejects when it does not answer. */
export interface StoreProbe {
  readonly name: string;
  reach(): Promise<void>;
}

export interface HealthInput {
  readonly checks: readonly HealthCheckValue[];
  /** Changes still differing after the apply (the verify step's count). */
  readonly remaining: number;
  readonly stores: readonly StoreProbe[];
  /** How long a store may take to answer. */
  readonly storeDeadlineMs: number;
  /** The flow each probe sends, or why it has none to look up; without it no probe is checked per flow. */
  readonly flowOf?: (c: HealthCheckValue) => ProbedFlow | string;
}

export interface HealthReport {
  readonly passed: boolean;
  /** The checks that finished, in the order they are declared (built-ins first). */
  readonly results: readonly CheckResult[];
  readonly failed: readonly CheckResult[];
}

/**
 * Runs the built-in checks and every probe at once and settles at the first
 * failure, so a rollback need not wait for slower probes (a denial takes its
 * whole deadline); otherwise when all passed. An expect-allow probe is then
 * looked up in the agent's flow records: drops of its flow meanwhile fail it too.
 */
export async function runHealthChecks(input: HealthInput, deps: HealthDeps): Promise<HealthReport> {
  const before = deps.drops();
  const allowed = input.checks.some((c) => c.expect === 'allow');
  const lookup = deps.flowDrops && input.flowOf ? deps.flowDrops : null;
  // Taken before any probe sends, so only the probes' own drops count.
  const flowsBefore = allowed && lookup ? await lookup().catch(() => null) : null;
  const notRun = !allowed
    ? null
    : !lookup
      ? 'this agent records no flows (start it with --flow-records or --observe-addr)'
      : flowsBefore === null
        ? 'the flow records could not be read'
        : null;
  const tasks: Promise<readonly CheckResult[]>[] = [
    Promise.resolve([converged(input.remaining)]),
    ...(notRun ? [Promise.resolve([flowDropsNotRun(notRun)])] : []),
    ...input.stores.map(async (s) => [await reachStore(s, input.storeDeadlineMs)]),
    ...input.checks.map(async (c) => {
      // A probe that cannot run at all is a failed one, never a pass left hanging.
      const outcome = await deps.probe(c).catch((e: unknown) => ({
        reached: false,
        got: `probe error: ${e instanceof Error ? e.message : String(e)}`,
      }));
      const result = probeResult(c, outcome, before, deps);
      if (c.expect !== 'allow' || notRun || !lookup || !input.flowOf) return [result];
      const flow = input.flowOf(c);
      const after: readonly DroppedFlow[] | null = typeof flow === 'string' ? null : await lookup().catch(() => null);
      return [result, flowDropsResult(c, flow, flowsBefore, after)];
    }),
  ];
  return new Promise((resolve) => {
    const results: (readonly CheckResult[] | undefined)[] = [];
    let left = tasks.length;
    let settled = false;
    const settle = () => {
      settled = true;
      const done = results.flatMap((r) => r ?? []);
      const failed = done.filter((r) => !r.passed);
      resolve({ passed: failed.length === 0, results: done, failed });
    };
    tasks.forEach(
      (task, i) =>
        void task.then((r) => {
          if (settled) return;
          results[i] = r;
          left -= 1;
          if (r.some((x) => !x.passed) || left === 0) settle();
        }),
    );
  });
}

function converged(remaining: number): CheckResult {
  return builtin('converged', 'the node', 'reconcile', '0 changes left', `${remaining} changes left`, remaining === 0);
}

async function reachStore(store: StoreProbe, deadlineMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
  });
  try {
    await Promise.race([store.reach(), late]);
    return builtin(`store-${store.name}`, `${store.name} store`, 'read', 'reachable', 'reachable', true);
  } catch (e) {
    const got = `unreachable (${e instanceof Error ? e.message : String(e)})`;
    return builtin(`store-${store.name}`, `${store.name} store`, 'read', 'reachable', got, false);
  } finally {
    clearTimeout(timer);
  }
}

function builtin(name: string, to: string, probe: string, expected: string, got: string, passed: boolean): CheckResult {
  return { name: `builtin:${name}`, from: null, to, probe, expected, got, passed, source: null };
}

function probeResult(
  c: HealthCheckValue,
  outcome: ProbeOutcome,
  before: Readonly<Record<string, number>> | null,
  deps: HealthDeps,
): CheckResult {
  const allowed =
    c.probe === 'http'
      ? c.expect === 'allow'
        ? outcome.status === c.status
        : // The L7 proxy answers a denied request with 403: a denial too.
          outcome.reached && outcome.status !== 403
      : outcome.reached;
  const passed = c.expect === 'allow' ? allowed : !allowed;
  const where = c.address === null ? '' : c.port === null ? ` (${c.address})` : ` (${c.address}:${c.port})`;
  const expected = c.probe === 'http' && c.expect === 'allow' ? `allow (HTTP ${c.status})` : c.expect;
  const result: CheckResult = {
    name: c.name,
    from: c.from,
    to: `${c.to}${where}`,
    probe: c.probe,
    expected,
    got: outcome.got,
    passed,
    source: `${c.file}:${c.line}`,
  };
  const drops = !passed && c.expect === 'allow' ? dropsSince(before, deps.drops()) : '';
  return drops ? { ...result, drops } : result;
}

/** `denied-default 3, denied-policy 1`: the drop counters that grew. */
function dropsSince(
  before: Readonly<Record<string, number>> | null,
  after: Readonly<Record<string, number>> | null,
): string {
  if (!after) return '';
  return Object.entries(after)
    .map(([reason, n]) => [reason, n - (before?.[reason] ?? 0)] as const)
    .filter(([, grown]) => grown > 0)
    .map(([reason, grown]) => `${reason} ${grown}`)
    .join(', ');
}
