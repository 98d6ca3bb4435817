import type { RuleRef } from '../../desired-state.js';
import type { PolicyDeclaration, PolicyRule } from '../../model.js';
import { SelectorIndex } from '../../selector/index.js';
import type { ClusterView, IdentityInfo } from '../cluster-view.js';
import type { Warnings } from '../warnings.js';
import type { CompiledRule } from './compiled-rule.js';
import { allocateRuleIds, type PolicyRefs, type RefStore } from './rule-refs.js';

/** Every identity a peer selector can name, sorted by id, and their label index. */
export interface IdentityIndex {
  readonly identities: readonly IdentityInfo[];
  readonly index: SelectorIndex<IdentityInfo>;
}

interface Memo {
  readonly view: ClusterView;
  readonly cidr: ReadonlyMap<string, number>;
  readonly compiled: CompiledRule;
  readonly warnings: Warnings;
}

/**
 * Compiled policy rules of earlier builds, by rule. A rule compiles the same
 * when it is the same declaration, against the same view and CIDR
 * identities, with the same rule ids: then its earlier result (and its
 * warnings) is reused, so one changed policy recompiles one policy.
 */
export class RuleMemo implements RefStore {
  private readonly rules = new WeakMap<PolicyRule, Memo>();
  private cidr: ReadonlyMap<string, number> = new Map();
  private identityIndex: { view: ClusterView; cidr: ReadonlyMap<string, number>; value: IdentityIndex } | null = null;
  private ruleIds: { keys: readonly string[]; ids: ReadonlyMap<string, number> } | null = null;
  /** Each policy's item refs (see ruleRefs), by declaration. */
  readonly policyRefs = new WeakMap<PolicyDeclaration, PolicyRefs>();

  /** The identities and their index of the last build when the view and CIDR identities are the same. */
  identities(view: ClusterView, cidr: ReadonlyMap<string, number>, build: () => IdentityIndex): IdentityIndex {
    const last = this.identityIndex;
    if (last && last.view === view && last.cidr === cidr) return last.value;
    this.identityIndex = { view, cidr, value: build() };
    return this.identityIndex.value;
  }

  /** Rule ids hashed once per set of rule keys: they depend on nothing else. */
  readonly allocateIds = (keys: readonly string[]): ReadonlyMap<string, number> => {
    const last = this.ruleIds;
    if (last && sameKeys(last.keys, keys)) return last.ids;
    this.ruleIds = { keys, ids: allocateRuleIds(keys) };
    return this.ruleIds.ids;
  };

  /** The earlier CIDR identity map when `next` holds the same entries, so that memos made against it still apply. */
  stableCidr(next: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
    if (next.size === this.cidr.size && [...next].every(([k, v]) => this.cidr.get(k) === v)) return this.cidr;
    this.cidr = next;
    return next;
  }

  get(
    policy: PolicyDeclaration,
    rule: PolicyRule,
    view: ClusterView,
    cidr: ReadonlyMap<string, number>,
    refs: readonly RuleRef[],
  ): Memo | undefined {
    const m = this.rules.get(rule);
    if (!m || m.view !== view || m.cidr !== cidr || m.compiled.policy !== policy) return undefined;
    const last = m.compiled.refs;
    const sameRefs = last === refs || (last.length === refs.length && last.every((ref, i) => sameRef(ref, refs[i])));
    return sameRefs ? m : undefined;
  }

  set(rule: PolicyRule, memo: Memo): void {
    this.rules.set(rule, memo);
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameRef(a: RuleRef, b: RuleRef | undefined): boolean {
  return (
    b !== undefined &&
    a.id === b.id &&
    a.kind === b.kind &&
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.path === b.path &&
    a.file === b.file &&
    a.line === b.line
  );
}
