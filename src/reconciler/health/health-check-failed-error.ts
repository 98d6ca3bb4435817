import { describeResult } from './check-result.js';
import type { HealthFailure } from './health-failure.js';

/**
 * A new revision broke a check on this node. Stalled: retrying the same
 * revision cannot help, a new commit must fix it (the node rolls back meanwhile).
 */
export class HealthCheckFailedError extends Error {
  readonly code = 'E_HEALTH_CHECK_FAILED';
  readonly errorKind = 'stalled';
  constructor(readonly health: HealthFailure) {
    super(`${health.failed.map(describeResult).join('; ')}; ${health.outcome}`);
    this.name = 'HealthCheckFailedError';
  }
}
