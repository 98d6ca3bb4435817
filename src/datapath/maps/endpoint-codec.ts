import type { EndpointValue } from '../../desired/desired-state.js';
import { EP_FLAG } from './c-enums.js';
import { cstr, ipv4, mac, pad, u16, u32, u8 } from './internal/field-types.js';
import { structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/abi/endpoint.h.
export const EP_ENFORCE_INGRESS = EP_FLAG.values['enforce-ingress'];
export const EP_ENFORCE_EGRESS = EP_FLAG.values['enforce-egress'];
export const EP_AUDIT = EP_FLAG.values.audit;

export const endpointKeyCodec: Codec<string> = structCodec(
  'gw_endpoint_key',
  { addr: ipv4 },
  { toFields: (addr) => ({ addr }), fromFields: (f) => f.addr },
);

/**
 * What the kernel holds about an endpoint. The rest of EndpointValue (name,
 * namespace, netns, gateway) lives in the devices, not in the map.
 */
export interface EndpointMapValue {
  /** Host-side veth; 0 leaves the source-address check off. */
  readonly ifindex: number;
  readonly identity: number;
  readonly id: number;
  readonly enforceIngress: boolean;
  readonly enforceEgress: boolean;
  readonly audit: boolean;
  readonly mac: string;
  readonly ifName: string;
}

export const endpointValueCodec: Codec<EndpointMapValue> = structCodec(
  'gw_endpoint_value',
  {
    ifindex: u32,
    identity: u32,
    endpoint_id: u16,
    flags: u8,
    pad0: pad(1),
    mac,
    pad1: pad(2),
    ifname: cstr(16),
  },
  {
    toFields: (v) => ({
      ifindex: v.ifindex,
      identity: v.identity,
      endpoint_id: v.id,
      flags:
        (v.enforceIngress ? EP_ENFORCE_INGRESS : 0) |
        (v.enforceEgress ? EP_ENFORCE_EGRESS : 0) |
        (v.audit ? EP_AUDIT : 0),
      mac: v.mac,
      ifname: v.ifName,
    }),
    fromFields: (f) => ({
      ifindex: f.ifindex,
      identity: f.identity,
      id: f.endpoint_id,
      enforceIngress: (f.flags & EP_ENFORCE_INGRESS) !== 0,
      enforceEgress: (f.flags & EP_ENFORCE_EGRESS) !== 0,
      audit: (f.flags & EP_AUDIT) !== 0,
      mac: f.mac,
      ifName: f.ifname,
    }),
  },
);

/** The map value for a desired endpoint, once its host-side veth has an ifindex. */
export function endpointToMap(v: EndpointValue, ifindex: number): EndpointMapValue {
  const { identity, id, enforceIngress, enforceEgress, audit, mac, ifName } = v;
  return { ifindex, identity, id, enforceIngress, enforceEgress, audit, mac, ifName };
}
