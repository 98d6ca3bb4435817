// What a node checks after applying a new revision: declared probes and built-in checks.
export { describeResult, type CheckResult } from './check-result.js';
export { HealthCheckFailedError } from './health-check-failed-error.js';
export type { HealthFailure } from './health-failure.js';
export {
  runHealthChecks,
  type HealthDeps,
  type HealthInput,
  type HealthReport,
  type StoreProbe,
} from './run-health-checks.js';
export { runProbe, type ProbeOutcome } from './run-probe.js';
export { nodeDrops } from './node-drops.js';
export { flowDropsNotRun, flowDropsResult, type DroppedFlow, type FlowDropLookup } from './flow-drops.js';
export { probedFlow, type ProbedFlow } from './probed-flow.js';
