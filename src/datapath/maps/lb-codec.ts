import type { BackendState, LbAlgorithm, ServiceType } from '../../desired/desired-state.js';
import { readIpv4, writeIpv4 } from './internal/inet.js';
import { structLayout, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/lb.h.

export const LB_ALGORITHMS: readonly LbAlgorithm[] = ['random', 'maglev'];
export const LB_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'ExternalIP'];
export const BACKEND_STATES: readonly BackendState[] = ['active', 'terminating', 'quarantined', 'maintenance'];
/** The Maglev map slot that holds a table's size instead of a backend id. */
export const MAGLEV_SIZE_SLOT = 0xffff_ffff;

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
}

export const lbSvcKeyCodec: Codec<LbSvcKey> = {
  ...structLayout('gw_lb_svc_key', [
    ['addr', 'be32'],
    ['dport', 'be16'],
    ['slot', 'u16'],
    ['protocol', 'u8'],
    ['pad0', 'u8', 3],
  ]),
  encode(k) {
    const b = Buffer.alloc(12);
    writeIpv4(b, 0, k.address);
    b.writeUInt16BE(k.port, 4);
    b.writeUInt16LE(k.slot, 6);
    b[8] = k.protocol;
    return b;
  },
  decode(b, o = 0) {
    return { address: readIpv4(b, o), port: b.readUInt16BE(o + 4), slot: b.readUInt16LE(o + 6), protocol: b[o + 8]! };
  },
};

export const lbSvcValueCodec: Codec<LbSvcValue> = {
  ...structLayout('gw_lb_svc_value', [
    ['backend_id', 'u32'],
    ['count', 'u16'],
    ['rev_nat_index', 'u16'],
    ['affinity_timeout_s', 'u32'],
    ['algorithm', 'u8'],
    ['type', 'u8'],
    ['pad0', 'u8', 2],
  ]),
  encode(v) {
    const b = Buffer.alloc(16);
    b.writeUInt32LE(v.backendId, 0);
    b.writeUInt16LE(v.count, 4);
    b.writeUInt16LE(v.revNatIndex, 6);
    b.writeUInt32LE(v.affinityTimeout, 8);
    b[12] = LB_ALGORITHMS.indexOf(v.algorithm);
    b[13] = LB_TYPES.indexOf(v.type);
    return b;
  },
  decode(b, o = 0) {
    return {
      backendId: b.readUInt32LE(o),
      count: b.readUInt16LE(o + 4),
      revNatIndex: b.readUInt16LE(o + 6),
      affinityTimeout: b.readUInt32LE(o + 8),
      algorithm: LB_ALGORITHMS[b[o + 12]!] ?? 'random',
      type: LB_TYPES[b[o + 13]!] ?? 'ClusterIP',
    };
  },
};

export const backendIdCodec: Codec<number> = {
  cName: '__u32',
  size: 4,
  offsets: {},
  encode(id) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(id, 0);
    return b;
  },
  decode: (b, o = 0) => b.readUInt32LE(o),
};

export interface LbBackend {
  readonly address: string;
  readonly port: number;
  readonly protocol: number;
  readonly state: BackendState;
}

export const lbBackendCodec: Codec<LbBackend> = {
  ...structLayout('gw_lb_backend', [
    ['addr', 'be32'],
    ['port', 'be16'],
    ['protocol', 'u8'],
    ['state', 'u8'],
  ]),
  encode(v) {
    const b = Buffer.alloc(8);
    writeIpv4(b, 0, v.address);
    b.writeUInt16BE(v.port, 4);
    b[6] = v.protocol;
    b[7] = BACKEND_STATES.indexOf(v.state);
    return b;
  },
  decode(b, o = 0) {
    return {
      address: readIpv4(b, o),
      port: b.readUInt16BE(o + 4),
      protocol: b[o + 6]!,
      state: BACKEND_STATES[b[o + 7]!] ?? 'maintenance',
    };
  },
};

export const revNatIndexCodec: Codec<number> = {
  cName: '__u16',
  size: 2,
  offsets: {},
  encode(index) {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(index, 0);
    return b;
  },
  decode: (b, o = 0) => b.readUInt16LE(o),
};

export interface LbRevnat {
  readonly address: string;
  readonly port: number;
}

export const lbRevnatCodec: Codec<LbRevnat> = {
  ...structLayout('gw_lb_revnat', [
    ['addr', 'be32'],
    ['port', 'be16'],
    ['pad0', 'u8', 2],
  ]),
  encode(v) {
    const b = Buffer.alloc(8);
    writeIpv4(b, 0, v.address);
    b.writeUInt16BE(v.port, 4);
    return b;
  },
  decode: (b, o = 0) => ({ address: readIpv4(b, o), port: b.readUInt16BE(o + 4) }),
};

export interface LbMaglevKey {
  readonly revNatIndex: number;
  /** A table slot, or MAGLEV_SIZE_SLOT. */
  readonly slot: number;
}

export const lbMaglevKeyCodec: Codec<LbMaglevKey> = {
  ...structLayout('gw_lb_maglev_key', [
    ['rev_nat_index', 'u16'],
    ['pad0', 'u8', 2],
    ['slot', 'u32'],
  ]),
  encode(k) {
    const b = Buffer.alloc(8);
    b.writeUInt16LE(k.revNatIndex, 0);
    b.writeUInt32LE(k.slot, 4);
    return b;
  },
  decode: (b, o = 0) => ({ revNatIndex: b.readUInt16LE(o), slot: b.readUInt32LE(o + 4) }),
};

/** The backend a connection was given (keyed by the connection's tuple to the frontend, a CtKey). */
export interface LbCtValue {
  readonly backendAddress: string;
  readonly backendPort: number;
  readonly revNatIndex: number;
  readonly backendId: number;
}

export const lbCtValueCodec: Codec<LbCtValue> = {
  ...structLayout('gw_lb_ct_value', [
    ['backend_addr', 'be32'],
    ['backend_port', 'be16'],
    ['rev_nat_index', 'u16'],
    ['backend_id', 'u32'],
    ['pad0', 'u32'],
  ]),
  encode(v) {
    const b = Buffer.alloc(16);
    writeIpv4(b, 0, v.backendAddress);
    b.writeUInt16BE(v.backendPort, 4);
    b.writeUInt16LE(v.revNatIndex, 6);
    b.writeUInt32LE(v.backendId, 8);
    return b;
  },
  decode: (b, o = 0) => ({
    backendAddress: readIpv4(b, o),
    backendPort: b.readUInt16BE(o + 4),
    revNatIndex: b.readUInt16LE(o + 6),
    backendId: b.readUInt32LE(o + 8),
  }),
};

export interface LbAffinityKey {
  readonly client: string;
  readonly revNatIndex: number;
}

export const lbAffinityKeyCodec: Codec<LbAffinityKey> = {
  ...structLayout('gw_lb_affinity_key', [
    ['client', 'be32'],
    ['rev_nat_index', 'u16'],
    ['pad0', 'u8', 2],
  ]),
  encode(k) {
    const b = Buffer.alloc(8);
    writeIpv4(b, 0, k.client);
    b.writeUInt16LE(k.revNatIndex, 4);
    return b;
  },
  decode: (b, o = 0) => ({ client: readIpv4(b, o), revNatIndex: b.readUInt16LE(o + 4) }),
};

export interface LbAffinityValue {
  /** CLOCK_MONOTONIC ns of the last connection the affinity gave a backend to. */
  readonly lastUsedNs: bigint;
  readonly backendId: number;
}

export const lbAffinityValueCodec: Codec<LbAffinityValue> = {
  ...structLayout('gw_lb_affinity_value', [
    ['last_used_ns', 'u64'],
    ['backend_id', 'u32'],
    ['pad0', 'u32'],
  ]),
  encode(v) {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(v.lastUsedNs, 0);
    b.writeUInt32LE(v.backendId, 8);
    return b;
  },
  decode: (b, o = 0) => ({ lastUsedNs: b.readBigUInt64LE(o), backendId: b.readUInt32LE(o + 8) }),
};
