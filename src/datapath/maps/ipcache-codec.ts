import type { IpcacheValue } from '../../desired/desired-state.js';
import { maskIpv4, parsePrefix, readIpv4, writeIpv4 } from './internal/inet.js';
import { structLayout, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/ipcache.h.

/** The key is the prefix, `10.0.0.0/8`; host bits are cleared so that one prefix has one key. */
export const ipcacheKeyCodec: Codec<string> = {
  ...structLayout('gw_ipcache_key', [
    ['prefixlen', 'u32'],
    ['addr', 'be32'],
  ]),
  encode(prefix) {
    const { address, length } = parsePrefix(prefix);
    const b = Buffer.alloc(8);
    b.writeUInt32LE(length, 0);
    writeIpv4(b, 4, address);
    maskIpv4(b, 4, length);
    return b;
  },
  decode(b, o = 0) {
    return `${readIpv4(b, o + 4)}/${b.readUInt32LE(o)}`;
  },
};

export type IpcacheMapValue = Pick<IpcacheValue, 'identity' | 'tunnelEndpoint'>;

export const ipcacheValueCodec: Codec<IpcacheMapValue> = {
  ...structLayout('gw_ipcache_value', [
    ['identity', 'u32'],
    ['tunnel_endpoint', 'be32'],
  ]),
  encode(v) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(v.identity, 0);
    if (v.tunnelEndpoint !== null) writeIpv4(b, 4, v.tunnelEndpoint);
    return b;
  },
  decode(b, o = 0) {
    const tunnel = b.readUInt32BE(o + 4);
    return { identity: b.readUInt32LE(o), tunnelEndpoint: tunnel === 0 ? null : readIpv4(b, o + 4) };
  },
};

export function ipcacheFromMap(key: Buffer, value: Buffer): IpcacheValue {
  return { prefix: ipcacheKeyCodec.decode(key), ...ipcacheValueCodec.decode(value) };
}
