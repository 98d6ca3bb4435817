/**
 * A VTEP's MAC is derived from its underlay IPv4 address (locally
 * administered, unicast), so a node can program the FDB entry of a remote
 * node from the declarations alone, with no MAC exchange.
 */
export function vtepMac(underlay: string): string {
  const bytes = underlay.split('.').map((b) => Number(b).toString(16).padStart(2, '0'));
  return ['0a', '67', ...bytes].join(':');
}

/** The underlay address a VTEP MAC was derived from; '' for any other MAC. */
export function vtepUnderlay(mac: string): string {
  const bytes = mac.split(':');
  if (bytes.length !== 6 || bytes[0] !== '0a' || bytes[1] !== '67') return '';
  return bytes
    .slice(2)
    .map((b) => parseInt(b, 16))
    .join('.');
}

/**
 * The overlay next hop of a remote pod CIDR is the remote node's gateway, its
 * first host address (as the compiler declares it): the route
 * `<podCIDR> via <gateway> dev <vxlan> onlink` resolves it through a permanent
 * neighbour entry pointing at the remote VTEP's MAC.
 */
export function tunnelNextHop(prefix: string): string {
  const [addr, len] = prefix.split('/') as [string, string | undefined];
  const bits = len === undefined ? 32 : Number(len);
  const n = addr.split('.').reduce((acc, b) => acc * 256 + Number(b), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const gw = (((n & mask) >>> 0) + (bits >= 31 ? 0 : 1)) >>> 0;
  return [24, 16, 8, 0].map((s) => (gw >>> s) & 0xff).join('.');
}
