import type { Socket } from 'node:net';
import type { Direction } from '../../desired/desired-state.js';
import type { ProxyMap } from '../maps/index.js';
import type { ProxyResolution, ProxyResolver } from './proxy-resolver.js';

/**
 * Resolves an accepted connection through the datapath's redirect record
 * (gw_proxy): the client's tuple as it opened the connection, which a
 * transparent listener's socket still shows (its local end is the original
 * destination). A connection the datapath did not redirect in this direction
 * has no record and is refused.
 */
export class MapProxyResolver implements ProxyResolver {
  constructor(
    private readonly map: ProxyMap,
    private readonly direction: Direction,
  ) {}

  resolve(socket: Socket): ProxyResolution | null {
    const { remoteAddress, remotePort, localAddress, localPort } = socket;
    if (!remoteAddress || !remotePort || !localAddress || !localPort) return null;
    const saddr = unmapped(remoteAddress);
    const daddr = unmapped(localAddress);
    const found = this.map.get({ saddr, daddr, sport: remotePort, dport: localPort });
    if (!found || found.direction !== this.direction) return null;
    return { identity: found.identity, originalDst: { address: daddr, port: localPort } };
  }
}

/** An IPv4 peer of a dual-stack socket shows as ::ffff:a.b.c.d. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
