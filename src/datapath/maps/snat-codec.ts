import { SNAT_DIR } from './c-enums.js';
import { be16, enumField, ipv4, pad, u16, u64, u8 } from './internal/field-types.js';
import { structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/abi/nodeport.h: the NAT table of NodePort SNAT and hairpin.

export type SnatDirection = keyof typeof SNAT_DIR.values;

/** A tuple as the datapath sees it: `out` the client's to its backend, `in` the backend's reply. */
export interface SnatKey {
  readonly saddr: string;
  readonly daddr: string;
  readonly sport: number;
  readonly dport: number;
  readonly protocol: number;
  readonly direction: SnatDirection;
}

/** `out`: the source the connection leaves with; `in`: the client the reply goes back to. */
export interface SnatValue {
  readonly address: string;
  readonly port: number;
  /** `in`: the frontend the reply leaves as. */
  readonly revNatIndex: number;
  /** CLOCK_MONOTONIC ns. */
  readonly createdNs: bigint;
}

export const snatKeyCodec: Codec<SnatKey> = structCodec(
  'gw_snat_key',
  { saddr: ipv4, daddr: ipv4, sport: be16, dport: be16, protocol: u8, dir: enumField(SNAT_DIR), pad0: pad(2) },
  {
    toFields: (k) => ({ ...k, dir: k.direction }),
    fromFields: (f) => ({
      saddr: f.saddr,
      daddr: f.daddr,
      sport: f.sport,
      dport: f.dport,
      protocol: f.protocol,
      direction: f.dir ?? 'out',
    }),
  },
);

export const snatValueCodec: Codec<SnatValue> = structCodec(
  'gw_snat_value',
  { addr: ipv4, port: be16, rev_nat_index: u16, created_ns: u64 },
  {
    toFields: (v) => ({ addr: v.address, port: v.port, rev_nat_index: v.revNatIndex, created_ns: v.createdNs }),
    fromFields: (f) => ({ address: f.addr, port: f.port, revNatIndex: f.rev_nat_index, createdNs: f.created_ns }),
  },
);
