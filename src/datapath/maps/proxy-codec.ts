import type { Direction } from '../../desired/desired-state.js';
import { DIRECTION } from './c-enums.js';
import { be16, enumField, ipv4, pad, u16, u32 } from './internal/field-types.js';
import { structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/abi/proxy.h: what the redirect tells the L7 proxy.

/** A redirected connection as the client opened it: the proxy's accepted socket's remote and local ends. */
export interface ProxyKey {
  readonly saddr: string;
  readonly daddr: string;
  readonly sport: number;
  readonly dport: number;
}

export const proxyKeyCodec: Codec<ProxyKey> = structCodec(
  'gw_proxy_key',
  { saddr: ipv4, daddr: ipv4, sport: be16, dport: be16 },
  {
    toFields: (k) => ({ saddr: k.saddr, daddr: k.daddr, sport: k.sport, dport: k.dport }),
    fromFields: (f) => ({ saddr: f.saddr, daddr: f.daddr, sport: f.sport, dport: f.dport }),
  },
);

export interface ProxyValue {
  /** The peer's security identity: the source on ingress, the destination on egress. */
  readonly identity: number;
  /** The local endpoint whose policy redirected the connection. */
  readonly endpointId: number;
  /** null: a value the mirror does not know. */
  readonly direction: Direction | null;
}

export const proxyValueCodec: Codec<ProxyValue> = structCodec(
  'gw_proxy_value',
  { identity: u32, endpoint_id: u16, direction: enumField(DIRECTION), pad0: pad(1) },
  {
    toFields: (v) => ({ identity: v.identity, endpoint_id: v.endpointId, direction: v.direction }),
    fromFields: (f) => ({ identity: f.identity, endpointId: f.endpoint_id, direction: f.direction }),
  },
);
