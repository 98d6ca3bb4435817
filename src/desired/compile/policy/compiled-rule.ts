import type { Direction, RuleRef } from '../../desired-state.js';
import type { PolicyDeclaration, PolicyRule } from '../../model.js';
import type { Selector } from '../../selector/index.js';
import type { PortBlock } from './port-blocks.js';

/** What a port rule allows: everything (protocol 0), port blocks of one protocol, or a named port. */
export type PortSpec =
  | { readonly kind: 'any' }
  | { readonly kind: 'blocks'; readonly protocol: number; readonly blocks: readonly PortBlock[]; readonly l7: boolean }
  | { readonly kind: 'named'; readonly name: string; readonly protocols: readonly number[]; readonly l7: boolean };

/** One ingress/egress(-deny) item of a rule with its peers resolved to identities (0 = any). */
export interface DirectionRule {
  readonly ref: RuleRef;
  readonly direction: Direction;
  readonly deny: boolean;
  readonly peers: readonly number[];
  readonly ports: readonly PortSpec[];
}

export interface CompiledRule {
  readonly policy: PolicyDeclaration;
  readonly rule: PolicyRule;
  /** null: the rule selects no endpoint (a host policy). */
  readonly subject: Selector | null;
  /** The rule has ingress (or ingressDeny) items, and whether they turn on default deny. */
  readonly ingress: boolean;
  readonly egress: boolean;
  readonly defaultDenyIngress: boolean;
  readonly defaultDenyEgress: boolean;
  /** Some ingress or egress (allow) item carries HTTP rules. */
  readonly http: boolean;
  /** The refs of the items, in their order: known before the items are built. */
  readonly refs: readonly RuleRef[];
  readonly items: readonly DirectionRule[];
}
