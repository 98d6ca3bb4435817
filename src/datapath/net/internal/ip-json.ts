// The parts of iproute2's `-json -details` output gitwire reads.

export interface IpAddrInfo {
  readonly family: string;
  readonly local: string;
  readonly prefixlen: number;
  readonly scope?: string;
}

export interface IpLink {
  readonly ifindex: number;
  readonly ifname: string;
  readonly flags: readonly string[];
  readonly mtu: number;
  readonly address?: string;
  readonly operstate?: string;
  readonly ifalias?: string;
  /** veth: the peer's ifindex, in the namespace `link_netnsid` names. */
  readonly link_index?: number;
  readonly link_netnsid?: number;
  /** veth whose peer is in the same namespace: the peer's name (no link_index then); null: stacked on nothing (a fallback tunnel). */
  readonly link?: string | null;
  readonly linkinfo?: { readonly info_kind?: string; readonly info_data?: Readonly<Record<string, unknown>> };
  readonly addr_info?: readonly IpAddrInfo[];
}

export interface IpRoute {
  readonly dst: string;
  readonly gateway?: string;
  readonly dev?: string;
  readonly prefsrc?: string;
  readonly protocol?: string;
  readonly scope?: string;
  readonly type?: string;
  readonly flags: readonly string[];
  readonly metrics?: readonly Readonly<Record<string, number>>[];
}

export interface IpNeigh {
  readonly dst: string;
  readonly dev?: string;
  readonly lladdr?: string;
  readonly state?: readonly string[];
  readonly protocol?: string;
}

export interface IpFdb {
  readonly mac: string;
  readonly dst?: string;
  readonly ifname?: string;
  readonly flags?: readonly string[];
  readonly state?: string;
}

export const isUp = (l: IpLink): boolean => l.flags.includes('UP');

export const inet = (l: IpLink): IpAddrInfo[] => (l.addr_info ?? []).filter((a) => a.family === 'inet');

/** `ip route` prints host routes without a length and the default route as `default`. */
export function routePrefix(dst: string): string {
  if (dst === 'default') return '0.0.0.0/0';
  return dst.includes('/') ? dst : `${dst}/32`;
}
