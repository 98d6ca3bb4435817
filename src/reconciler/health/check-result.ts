/** One check's outcome, as the node status and the log report it. */
export interface CheckResult {
  /** `namespace/name` of a HealthCheck, or `builtin:converged` / `builtin:store-<name>` / `builtin:flow-drops`. */
  readonly name: string;
  /** Endpoint the probe ran from (`namespace/name`); null for a built-in check. */
  readonly from: string | null;
  readonly to: string;
  /** tcp, http, icmp, or what a built-in check looks at. */
  readonly probe: string;
  readonly expected: string;
  readonly got: string;
  readonly passed: boolean;
  /** `file:line` of the HealthCheck (a flow-drops check's: of its probe); null for another built-in check. */
  readonly source: string | null;
  /** Packets the datapath dropped while the probes ran, by reason, for a probe expected to get through that did not. */
  readonly drops?: string;
  /** The check could not run (what it reads is missing): it passed without checking, and `got` says why. */
  readonly skipped?: true;
}

/** `default/tie-lands (checks.yaml:3): tcp default/tiefighter → endpoint default/deathstar-1 expected allow, got timeout`. */
export function describeResult(r: CheckResult): string {
  const at = r.source ? ` (${r.source})` : '';
  const from = r.from ? `${r.from} → ` : '';
  const drops = r.drops ? `; datapath drops meanwhile: ${r.drops}` : '';
  return `${r.name}${at}: ${r.probe} ${from}${r.to} expected ${r.expected}, got ${r.got}${drops}`;
}
