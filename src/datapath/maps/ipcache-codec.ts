import type { IpcacheValue } from '../../desired/desired-state.js';
import { maskIpv4, parsePrefix, readIpv4 } from './internal/inet.js';
import { ipv4, u32 } from './internal/field-types.js';
import { structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/abi/ipcache.h.

/** The key is the prefix, `10.0.0.0/8`; host bits are cleared so that one prefix has one key. */
export const ipcacheKeyCodec: Codec<string> = structCodec(
  'gw_ipcache_key',
  { prefixlen: u32, addr: ipv4 },
  {
    toFields(prefix) {
      const { address, length } = parsePrefix(prefix);
      const b = Buffer.alloc(4);
      ipv4.write(b, 0, address);
      maskIpv4(b, 0, length);
      return { prefixlen: length, addr: readIpv4(b, 0) };
    },
    fromFields: (f) => `${f.addr}/${f.prefixlen}`,
  },
);

export type IpcacheMapValue = Pick<IpcacheValue, 'identity' | 'tunnelEndpoint'>;

const NO_TUNNEL = '0.0.0.0';

export const ipcacheValueCodec: Codec<IpcacheMapValue> = structCodec(
  'gw_ipcache_value',
  { identity: u32, tunnel_endpoint: ipv4 },
  {
    toFields: (v) => ({ identity: v.identity, tunnel_endpoint: v.tunnelEndpoint ?? NO_TUNNEL }),
    fromFields: (f) => ({
      identity: f.identity,
      tunnelEndpoint: f.tunnel_endpoint === NO_TUNNEL ? null : f.tunnel_endpoint,
    }),
  },
);

export function ipcacheFromMap(key: Buffer, value: Buffer): IpcacheValue {
  return { prefix: ipcacheKeyCodec.decode(key), ...ipcacheValueCodec.decode(value) };
}
