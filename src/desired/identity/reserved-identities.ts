// Cilium's reserved identities (pkg/identity/numericidentity.go) and the
// label each one carries.

export const RESERVED_IDENTITIES = {
  host: 1,
  world: 2,
  unmanaged: 3,
  health: 4,
  init: 5,
  'remote-node': 6,
  'kube-apiserver': 7,
  ingress: 8,
} as const;
export type ReservedName = keyof typeof RESERVED_IDENTITIES;

export const RESERVED_NAMES = Object.keys(RESERVED_IDENTITIES) as ReservedName[];

/** First identity of the cluster-wide range; below it are reserved identities. */
export const MIN_GLOBAL_IDENTITY = 256;
/** Last identity of cluster 0's global range (Cilium keeps the bits above 16 for the cluster id). */
export const MAX_GLOBAL_IDENTITY = 65_535;
/** Node-local identities (CIDR) have bit 24 set. */
export const LOCAL_IDENTITY_FLAG = 0x0100_0000;
export const MAX_LOCAL_IDENTITY = 0x00ff_ffff;

export function reservedLabel(name: ReservedName): string {
  return `reserved:${name}`;
}
