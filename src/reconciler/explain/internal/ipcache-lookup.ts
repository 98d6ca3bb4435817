import type { DesiredState } from '../../../desired/index.js';

/** The world identity bpf/lib/ipcache.h gives an address no ipcache prefix covers. */
export const WORLD_IDENTITY = 2;

/** The peer identity the node's datapath gives `address`: the longest ipcache prefix that covers it. */
export function peerIdentity(state: DesiredState, address: string): number {
  const addr = toNumber(address);
  let best = WORLD_IDENTITY;
  let bestLen = -1;
  for (const { value } of state.resources.ipcache) {
    const [base, lenText] = value.prefix.split('/') as [string, string];
    const len = Number(lenText);
    const mask = len === 0 ? 0 : (0xffff_ffff << (32 - len)) >>> 0;
    if ((addr & mask) >>> 0 === (toNumber(base) & mask) >>> 0 && len > bestLen) {
      best = value.identity;
      bestLen = len;
    }
  }
  return best;
}

export function toNumber(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}
