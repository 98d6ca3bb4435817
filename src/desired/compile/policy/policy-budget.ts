import type { CompiledRule, DirectionRule } from './compiled-rule.js';
import type { LocalEndpoint } from './compile-node-policy.js';

/** Entries the node's policy map holds: GW_POLICY_MAX_ENTRIES in bpf/include/policy.h. */
export const POLICY_MAP_CAPACITY = 65_536;

/**
 * Candidate entries (duplicates included) compile may generate for one node
 * before it gives up: the capacity bounds memory, this bounds time when many
 * rules repeat the same entries.
 */
const CANDIDATES_PER_ENTRY = 64;

export interface PolicyTooLargeData {
  readonly node: string;
  readonly policy: string;
  readonly endpoint: string;
  readonly count: number;
  readonly capacity: number;
}

/** A commit whose policies expand past the node's policy map; a retry cannot fix it. */
export class PolicyTooLargeError extends Error {
  readonly code = 'E_POLICY_TOO_LARGE';
  readonly errorKind = 'stalled';
  constructor(
    message: string,
    readonly data: PolicyTooLargeData,
  ) {
    super(message);
    this.name = 'PolicyTooLargeError';
  }
}

/**
 * Counts a node's policy entries as compile generates them and stops it, with
 * the policy and endpoint that overflowed, before the map's capacity is
 * exceeded in memory: Cilium bounds each endpoint's policy map the same way.
 */
export class PolicyBudget {
  private candidates = 0;

  constructor(
    private readonly node: string,
    private readonly capacity = POLICY_MAP_CAPACITY,
  ) {}

  /** Before an item's entries for one endpoint are generated: their number, counted without building them. */
  reserve(rule: CompiledRule, item: DirectionRule, ep: LocalEndpoint): void {
    const count = candidateCount(item, ep);
    this.candidates += count;
    // Peers are distinct identities and port blocks distinct ports, so one item's entries never repeat.
    if (count > this.capacity) this.fail(rule, ep, count, 'this rule alone gives the endpoint');
    if (this.candidates > this.capacity * CANDIDATES_PER_ENTRY) {
      this.fail(rule, ep, this.candidates, 'the policies repeat entries so much that compiling them takes');
    }
  }

  /** After them: the distinct entries so far must fit the map. */
  check(rule: CompiledRule, ep: LocalEndpoint, distinct: number): void {
    if (distinct > this.capacity) this.fail(rule, ep, distinct, `with this rule the node's policy map needs`);
  }

  private fail(rule: CompiledRule, ep: LocalEndpoint, count: number, what: string): never {
    const p = rule.policy;
    const policy = p.namespace === null ? p.name : `${p.namespace}/${p.name}`;
    const at = `${rule.rule.source.file}:${rule.rule.source.line}`;
    throw new PolicyTooLargeError(
      `policy ${policy} (${at}) on node ${this.node}, endpoint ${ep.info.key}: ${what} ${count} entries; ` +
        `the policy map holds ${this.capacity}. Narrow the rule's peers or ports, or split the endpoints across nodes`,
      { node: this.node, policy, endpoint: ep.info.key, count, capacity: this.capacity },
    );
  }
}

/** Entries an item gives one endpoint at most; a named port counts once per peer (the entry check is exact). */
function candidateCount(item: DirectionRule, ep: LocalEndpoint): number {
  let perPeer = 0;
  for (const spec of item.ports) {
    if (spec.kind === 'blocks') perPeer += spec.blocks.length;
    else if (spec.kind === 'named' && item.direction === 'ingress') perPeer += ep.info.decl.spec.ports.length;
    else perPeer += 1;
  }
  return perPeer * item.peers.length;
}
