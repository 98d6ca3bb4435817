import type { Direction } from '../../desired/desired-state.js';
import type { L7RuleSet } from '../../desired/compile/l7/index.js';
import { CompiledHttpRule, type RequestHead, type RuleMatch } from './internal/compiled-http-rule.js';

/** Which rule set a request falls under: the local endpoint's address, the direction, the peer and the port. */
export interface L7Target {
  readonly address: string;
  readonly direction: Direction;
  readonly identity: number;
  readonly port: number;
}

interface CompiledSet {
  readonly set: L7RuleSet;
  readonly rules: readonly CompiledHttpRule[];
}

/**
 * The L7 rule sets of a node, ready to decide requests. Immutable: the proxy
 * swaps in a new one when rules change, and each request reads the current one.
 */
export class L7Policy {
  private readonly byEndpoint = new Map<string, CompiledSet[]>();

  constructor(sets: readonly L7RuleSet[]) {
    for (const set of sets) {
      const key = `${set.address}/${set.direction}`;
      const list = this.byEndpoint.get(key) ?? [];
      list.push({ set, rules: set.rules.map((r) => new CompiledHttpRule(r)) });
      this.byEndpoint.set(key, list);
    }
  }

  /**
   * The rule that allows the request, or null (denied). The set is the one the
   * datapath's lookup picks: the peer's own identity before any (0), then the
   * longest port prefix. A rule that matches without header mismatches wins
   * over one that needs its mismatch actions.
   */
  decide(target: L7Target, head: RequestHead): RuleMatch | null {
    const found = this.lookup(target);
    if (!found) return null;
    let withMismatches: RuleMatch | null = null;
    for (const rule of found.rules) {
      const m = rule.match(head);
      if (!m) continue;
      if (m.mismatches.length === 0) return m;
      withMismatches ??= m;
    }
    return withMismatches;
  }

  private lookup(t: L7Target): CompiledSet | null {
    let best: CompiledSet | null = null;
    for (const c of this.byEndpoint.get(`${t.address}/${t.direction}`) ?? []) {
      const s = c.set;
      if (s.identity !== t.identity && s.identity !== 0) continue;
      const shift = 16 - s.portPrefixLen;
      if (s.portPrefixLen > 0 && s.port >>> shift !== t.port >>> shift) continue;
      if (!best || better(s, best.set)) best = c;
    }
    return best;
  }
}

function better(a: L7RuleSet, b: L7RuleSet): boolean {
  if ((a.identity !== 0) !== (b.identity !== 0)) return a.identity !== 0;
  return a.portPrefixLen > b.portPrefixLen;
}
