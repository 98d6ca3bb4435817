import type { BackendState, LbAlgorithm, LbMode, ServiceType } from '../../desired/desired-state.js';
import { BACKEND_STATE, LB_ALGORITHM, LB_FLAG, LB_TYPE, MAGLEV_SLOT } from './c-enums.js';
import { be16, enumField, ipv4, pad, u16, u32, u64, u8 } from './internal/field-types.js';
import { scalarCodec, structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/abi/lb.h.

export const LB_ALGORITHMS = Object.keys(LB_ALGORITHM.values) as readonly LbAlgorithm[];
export const LB_TYPES = Object.keys(LB_TYPE.values) as readonly ServiceType[];
export const BACKEND_STATES = Object.keys(BACKEND_STATE.values) as readonly BackendState[];
/** The Maglev map slot that holds a table's size instead of a backend id. */
export const MAGLEV_SIZE_SLOT = MAGLEV_SLOT.values['size-slot'];

export interface LbSvcKey {
  readonly address: string;
  readonly port: number;
  readonly protocol: number;
  /** 0 = the master entry, 1..count = backend slots. */
  readonly slot: number;
}

export interface LbSvcValue {
  readonly backendId: number;
  readonly count: number;
  readonly revNatIndex: number;
  readonly affinityTimeout: number;
  readonly algorithm: LbAlgorithm;
  readonly type: ServiceType;
  readonly mode: LbMode;
}

export const lbSvcKeyCodec: Codec<LbSvcKey> = structCodec(
  'gw_lb_svc_key',
  { addr: ipv4, dport: be16, slot: u16, protocol: u8, pad0: pad(3) },
  {
    toFields: (k) => ({ addr: k.address, dport: k.port, slot: k.slot, protocol: k.protocol }),
    fromFields: (f) => ({ address: f.addr, port: f.dport, slot: f.slot, protocol: f.protocol }),
  },
);

export const lbSvcValueCodec: Codec<LbSvcValue> = structCodec(
  'gw_lb_svc_value',
  {
    backend_id: u32,
    count: u16,
    rev_nat_index: u16,
    affinity_timeout_s: u32,
    algorithm: enumField(LB_ALGORITHM),
    type: enumField(LB_TYPE),
    flags: u8,
    pad0: pad(1),
  },
  {
    toFields: (v) => ({
      backend_id: v.backendId,
      count: v.count,
      rev_nat_index: v.revNatIndex,
      affinity_timeout_s: v.affinityTimeout,
      algorithm: v.algorithm,
      type: v.type,
      flags: v.mode === 'dsr' ? LB_FLAG.values.dsr : 0,
    }),
    fromFields: (f) => ({
      backendId: f.backend_id,
      count: f.count,
      revNatIndex: f.rev_nat_index,
      affinityTimeout: f.affinity_timeout_s,
      algorithm: f.algorithm ?? 'random',
      type: f.type ?? 'ClusterIP',
      mode: f.flags & LB_FLAG.values.dsr ? 'dsr' : 'snat',
    }),
  },
);

export const backendIdCodec: Codec<number> = scalarCodec('__u32', u32);

export interface LbBackend {
  readonly address: string;
  readonly port: number;
  readonly protocol: number;
  readonly state: BackendState;
}

export const lbBackendCodec: Codec<LbBackend> = structCodec(
  'gw_lb_backend',
  { addr: ipv4, port: be16, protocol: u8, state: enumField(BACKEND_STATE) },
  {
    toFields: (v) => ({ addr: v.address, port: v.port, protocol: v.protocol, state: v.state }),
    fromFields: (f) => ({ address: f.addr, port: f.port, protocol: f.protocol, state: f.state ?? 'maintenance' }),
  },
);

export const revNatIndexCodec: Codec<number> = scalarCodec('__u16', u16);

export interface LbRevnat {
  readonly address: string;
  readonly port: number;
}

export const lbRevnatCodec: Codec<LbRevnat> = structCodec(
  'gw_lb_revnat',
  { addr: ipv4, port: be16, pad0: pad(2) },
  {
    toFields: (v) => ({ addr: v.address, port: v.port }),
    fromFields: (f) => ({ address: f.addr, port: f.port }),
  },
);

export interface LbMaglevKey {
  readonly revNatIndex: number;
  /** A table slot, or MAGLEV_SIZE_SLOT. */
  readonly slot: number;
}

export const lbMaglevKeyCodec: Codec<LbMaglevKey> = structCodec(
  'gw_lb_maglev_key',
  { rev_nat_index: u16, pad0: pad(2), slot: u32 },
  {
    toFields: (k) => ({ rev_nat_index: k.revNatIndex, slot: k.slot }),
    fromFields: (f) => ({ revNatIndex: f.rev_nat_index, slot: f.slot }),
  },
);

/** The backend a connection was given (keyed by the connection's tuple to the frontend, a CtKey). */
export interface LbCtValue {
  readonly backendAddress: string;
  readonly backendPort: number;
  readonly revNatIndex: number;
  readonly backendId: number;
}

export const lbCtValueCodec: Codec<LbCtValue> = structCodec(
  'gw_lb_ct_value',
  { backend_addr: ipv4, backend_port: be16, rev_nat_index: u16, backend_id: u32, pad0: pad(4) },
  {
    toFields: (v) => ({
      backend_addr: v.backendAddress,
      backend_port: v.backendPort,
      rev_nat_index: v.revNatIndex,
      backend_id: v.backendId,
    }),
    fromFields: (f) => ({
      backendAddress: f.backend_addr,
      backendPort: f.backend_port,
      revNatIndex: f.rev_nat_index,
      backendId: f.backend_id,
    }),
  },
);

export interface LbAffinityKey {
  readonly client: string;
  readonly revNatIndex: number;
}

export const lbAffinityKeyCodec: Codec<LbAffinityKey> = structCodec(
  'gw_lb_affinity_key',
  { client: ipv4, rev_nat_index: u16, pad0: pad(2) },
  {
    toFields: (k) => ({ client: k.client, rev_nat_index: k.revNatIndex }),
    fromFields: (f) => ({ client: f.client, revNatIndex: f.rev_nat_index }),
  },
);

export interface LbAffinityValue {
  /** CLOCK_MONOTONIC ns of the last connection the affinity gave a backend to. */
  readonly lastUsedNs: bigint;
  readonly backendId: number;
}

export const lbAffinityValueCodec: Codec<LbAffinityValue> = structCodec(
  'gw_lb_affinity_value',
  { last_used_ns: u64, backend_id: u32, pad0: pad(4) },
  {
    toFields: (v) => ({ last_used_ns: v.lastUsedNs, backend_id: v.backendId }),
    fromFields: (f) => ({ lastUsedNs: f.last_used_ns, backendId: f.backend_id }),
  },
);
