import type { Direction, RuleRef } from '../../desired/index.js';
import type { DefaultDenySource } from './internal/default-deny-sources.js';

export type { DefaultDenySource } from './internal/default-deny-sources.js';

export type FlowProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP';

/** The flow asked about: an endpoint (`namespace/name`, or a name unique in the cluster) to an endpoint or an IPv4 address. */
export interface FlowQuery {
  readonly from: string;
  readonly to: string;
  /** Destination port; for ICMP the type. */
  readonly port: number;
  readonly protocol: FlowProtocol;
}

/** The datapath's reason for one side (bpf/lib/policy.h policy_reason()). */
export type SideReason = 'allowed' | 'redirect' | 'denied-policy' | 'denied-default' | 'not-enforced';

/** One endpoint program's decision: the egress of the sender or the ingress of the receiver. */
export interface SideVerdict {
  readonly direction: Direction;
  readonly node: string;
  /** `namespace/name` of the endpoint whose policy decides. */
  readonly endpoint: string;
  readonly peerAddress: string;
  readonly peerIdentity: number;
  readonly reason: SideReason;
  /** The packet goes on: allowed, redirected, not enforced, or a would-be drop in audit mode. */
  readonly passes: boolean;
  /** The endpoint is in audit mode and this side would drop: it passes and is reported as an audit. */
  readonly audited: boolean;
  /** The rule of the entry that decided (allowed, redirect, denied-policy). */
  readonly rule: RuleRef | null;
  /** For denied-default: the rules that switched this direction to default deny (empty under `policyEnforcement: always`). */
  readonly defaultDenyBy: readonly DefaultDenySource[];
  /** For denied-default: the cluster enforces every endpoint (`policyEnforcement: always`). */
  readonly enforcementAlways: boolean;
}

/** The flow to one destination address: the address asked for, or one backend of a service. */
export interface FlowPath {
  readonly address: string;
  readonly port: number;
  /** `namespace/name` of the endpoint that holds the address, or null outside the cluster's endpoints. */
  readonly endpoint: string | null;
  readonly egress: SideVerdict;
  /** null when the destination is not an endpoint: no ingress policy applies to it. */
  readonly ingress: SideVerdict | null;
  readonly allowed: boolean;
}

export interface FlowService {
  /** `namespace/name`. */
  readonly name: string;
  readonly type: string;
  readonly address: string;
  readonly port: number;
}

export interface FlowExplanation {
  readonly revision: string | null;
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: FlowProtocol;
  /** The destination is a service frontend: each backend is a path. */
  readonly service: FlowService | null;
  readonly paths: readonly FlowPath[];
  /** Every path is allowed end to end (a service without backends drops: `lb-no-backend`). */
  readonly allowed: boolean;
}
