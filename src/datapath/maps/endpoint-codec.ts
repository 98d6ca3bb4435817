import type { EndpointValue } from '../../desired/desired-state.js';
import { readIpv4, readMac, writeIpv4, writeMac } from './internal/inet.js';
import { structLayout, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/endpoint.h.
export const EP_ENFORCE_INGRESS = 1;
export const EP_ENFORCE_EGRESS = 2;
export const EP_AUDIT = 4;

export const endpointKeyCodec: Codec<string> = {
  ...structLayout('gw_endpoint_key', [['addr', 'be32']]),
  encode(address) {
    const b = Buffer.alloc(4);
    writeIpv4(b, 0, address);
    return b;
  },
  decode(b, o = 0) {
    return readIpv4(b, o);
  },
};

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

export const endpointValueCodec: Codec<EndpointMapValue> = {
  ...structLayout('gw_endpoint_value', [
    ['ifindex', 'u32'],
    ['identity', 'u32'],
    ['endpoint_id', 'u16'],
    ['flags', 'u8'],
    ['pad0', 'u8'],
    ['mac', 'u8', 6],
    ['pad1', 'u8', 2],
    ['ifname', 'char', 16],
  ]),
  encode(v) {
    const b = Buffer.alloc(36);
    b.writeUInt32LE(v.ifindex, 0);
    b.writeUInt32LE(v.identity, 4);
    b.writeUInt16LE(v.id, 8);
    b[10] =
      (v.enforceIngress ? EP_ENFORCE_INGRESS : 0) |
      (v.enforceEgress ? EP_ENFORCE_EGRESS : 0) |
      (v.audit ? EP_AUDIT : 0);
    writeMac(b, 12, v.mac);
    if (Buffer.byteLength(v.ifName) > 15) throw new RangeError(`interface name longer than 15 bytes: ${v.ifName}`);
    b.write(v.ifName, 20, 'utf8');
    return b;
  },
  decode(b, o = 0) {
    const flags = b[o + 10]!;
    const name = b.subarray(o + 20, o + 36);
    const end = name.indexOf(0);
    return {
      ifindex: b.readUInt32LE(o),
      identity: b.readUInt32LE(o + 4),
      id: b.readUInt16LE(o + 8),
      enforceIngress: (flags & EP_ENFORCE_INGRESS) !== 0,
      enforceEgress: (flags & EP_ENFORCE_EGRESS) !== 0,
      audit: (flags & EP_AUDIT) !== 0,
      mac: readMac(b, o + 12),
      ifName: name.toString('utf8', 0, end < 0 ? 16 : end),
    };
  },
};

/** The map value for a desired endpoint, once its host-side veth has an ifindex. */
export function endpointToMap(v: EndpointValue, ifindex: number): EndpointMapValue {
  const { identity, id, enforceIngress, enforceEgress, audit, mac, ifName } = v;
  return { ifindex, identity, id, enforceIngress, enforceEgress, audit, mac, ifName };
}
