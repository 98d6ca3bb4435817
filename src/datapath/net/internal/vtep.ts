/**
 * A VTEP's MAC is derived from its underlay IPv4 address (locally
 * administered, unicast), so a node can program the FDB entry of a remote
 * node from the declarations alone, with no MAC exchange.
 */
export function vtepMac(underlay: string): string {
  const bytes = underlay.split('.').map((b) => Number(b).toString(16).padStart(2, '0'));
  return ['0a', '67', ...bytes].join(':');
}

/**
 * The overlay next hop of a remote pod CIDR is its network address (as
 * flannel does): the route `<podCIDR> via <network address> dev <vxlan> onlink`
 * resolves it through a permanent neighbour entry.
 */
export function tunnelNextHop(prefix: string): string {
  const [addr, len] = prefix.split('/') as [string, string | undefined];
  const bits = len === undefined ? 32 : Number(len);
  const n = addr.split('.').reduce((acc, b) => acc * 256 + Number(b), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (net >>> s) & 0xff).join('.');
}
