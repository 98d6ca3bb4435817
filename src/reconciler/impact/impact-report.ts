import type { SideVerdict } from '../explain/index.js';
import type { Verdict } from '../flows/event-filter.js';

/** One end of an observed flow, as the record names it (an identity number) and as the revisions know it. */
export interface ImpactPeer {
  readonly identity: number;
  /** The identity's labels; null when no source knows the number (or they disagree): never guessed. */
  readonly labels: readonly string[] | null;
  /** `namespace/name` of the endpoints carrying the identity (in revision A, else B). */
  readonly endpoints: readonly string[];
  /** Why `labels` is null. */
  readonly unresolved?: string;
}

/** A flow's verdict in one revision: explain's answer for a representative pair of the flow's ends. */
export interface ImpactVerdict {
  readonly allowed: boolean;
  /** The endpoint (`namespace/name`) or address explain was asked about on each end. */
  readonly from: string;
  readonly to: string;
  /** The sending side's egress (when the source is an endpoint), then the receiving side's ingress (when the destination is one). */
  readonly sides: readonly SideVerdict[];
}

/** An observed flow: every record of the node with the same identities, port and protocol. */
export interface ObservedFlow {
  readonly source: ImpactPeer;
  readonly destination: ImpactPeer;
  /** Destination port, or the ICMP type. */
  readonly port: number;
  /** IP protocol number. */
  readonly protocol: number;
  readonly count: number;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  /** Seen in the hour before the report: a reviewer reads these first. */
  readonly recent: boolean;
  /** The verdicts the datapath recorded for it. */
  readonly observed: readonly Verdict[];
}

export interface FlippedFlow extends ObservedFlow {
  readonly before: ImpactVerdict;
  readonly after: ImpactVerdict;
}

/** A flow whose verdict could not be computed in one of the revisions, with the reason. */
export interface UnevaluatedFlow extends ObservedFlow {
  readonly reason: string;
}

export type FlowData =
  | { readonly available: true; readonly flows: number; readonly events: number }
  | { readonly available: false; readonly reason: string };

export interface NodeImpact {
  readonly node: string;
  readonly flowData: FlowData;
  /** Most recent first (the last hour before the rest), then by count. */
  readonly newlyDropped: readonly FlippedFlow[];
  readonly newlyAllowed: readonly FlippedFlow[];
  readonly unevaluated: readonly UnevaluatedFlow[];
  /** Flows with the same verdict in both revisions. */
  readonly unchanged: number;
}

export interface ImpactReport {
  readonly from: string | null;
  readonly to: string | null;
  readonly sinceSeconds: number;
  readonly at: Date;
  readonly nodes: readonly NodeImpact[];
}
