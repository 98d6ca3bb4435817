import type { Direction } from '../../desired-state.js';

/** What Cilium's headerMatches do when a header does not match, instead of failing the rule. */
export type MismatchAction = 'LOG' | 'ADD' | 'DELETE' | 'REPLACE';

/** Where an HTTP rule was written; `line` is the line of the policy rule (`spec` or `specs[i]`) holding it. */
export interface L7RuleRef {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  /** Field path of the HTTP rule, e.g. `spec.ingress[0].toPorts[0].rules.http[1]`; an L4 allow names its item. */
  readonly path: string;
  readonly file: string;
  readonly line: number;
}

/**
 * One header a rule checks. `present`: the header exists; `exact`: it has this
 * value; `fail`: never matches (a headerMatches secret gitwire cannot read and no value).
 */
export interface HeaderRequirement {
  /** Lower-case, as HTTP header names compare. */
  readonly name: string;
  readonly match: 'present' | 'exact' | 'fail';
  readonly value: string;
  /** null: a mismatch fails the rule. */
  readonly mismatch: MismatchAction | null;
}

/** One Cilium HTTP rule; null fields match anything. Regexes are anchored (`^(?:…)$`), as Envoy's full match. */
export interface HttpRuleSpec {
  readonly method: string | null;
  readonly path: string | null;
  readonly host: string | null;
  readonly headers: readonly HeaderRequirement[];
  readonly ref: L7RuleRef;
}

/**
 * The HTTP rules that decide requests of one peer identity to one TCP port of
 * a local endpoint, in one direction: every policy's rules for that identity
 * (or any) and port, combined. A policy allowing the same traffic without L7
 * rules adds a rule that matches everything, as Cilium does.
 */
export interface L7RuleSet {
  readonly endpointId: number;
  /** `namespace/name` of the local endpoint. */
  readonly endpoint: string;
  readonly address: string;
  readonly direction: Direction;
  /** The peer: the source on ingress, the destination on egress; 0 = any. */
  readonly identity: number;
  readonly port: number;
  readonly portPrefixLen: number;
  readonly rules: readonly HttpRuleSpec[];
}
