import type { BackendState, BackendValue, LbAlgorithm, LbMode } from '../../desired-state.js';
import type { Declared } from '../../model.js';
import type { ServiceSpec } from '../../schema/gitwire-kinds.js';

/** One port of one Service, resolved cluster-wide; nodes add their NodePort frontend. */
export interface ServicePortPlan {
  /** `namespace/name` */
  readonly service: string;
  readonly decl: Declared<ServiceSpec>;
  readonly portIndex: number;
  readonly port: number;
  readonly protocol: number;
  readonly protocolName: 'TCP' | 'UDP' | 'SCTP';
  readonly clusterIP: string | null;
  readonly externalIPs: readonly string[];
  readonly nodePort: number | null;
  /** Every backend of the port, whatever its state. */
  readonly backends: readonly BackendValue[];
  /** Backend ids in slot order: the active ones, or the terminating ones when none is active. */
  readonly slots: readonly number[];
  readonly algorithm: LbAlgorithm;
  readonly affinityTimeout: number;
  /** For the NodePort and ExternalIP frontends: SNAT or DSR to a backend on another node. */
  readonly mode: LbMode;
  /** Encoded Maglev table (see encodeMaglevTable), or null for the random algorithm. */
  readonly maglev: string | null;
}

export interface ServiceProgram {
  readonly ports: readonly ServicePortPlan[];
  readonly backends: ReadonlyMap<number, BackendValue>;
  /** Reverse-NAT index of every frontend that is the same on every node (ClusterIP, ExternalIP). */
  readonly revNat: ReadonlyMap<string, number>;
  /** Slots of every Maglev table (the Cluster's loadBalancer.maglevTableSize). */
  readonly maglevTableSize: number;
}

export const STATE_ORDER: readonly BackendState[] = ['active', 'terminating', 'quarantined', 'maintenance'];
