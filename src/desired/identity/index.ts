export { allocateCidrIdentities, cidrLabels } from './cidr-identities.js';
export {
  CLUSTER_LABEL,
  endpointLabels,
  modelLabelSets,
  NAMESPACE_LABEL,
  NAMESPACE_LABELS_PREFIX,
  SERVICE_ACCOUNT_LABEL,
} from './endpoint-labels.js';
export { allocateByHash, NumberSpaceExhaustedError } from './hash-probe.js';
export type { IdentityAllocator } from './identity-allocator.js';
export { labelSetKey, labelsOfKey } from './identity-table.js';
export type { IdentityTable } from './identity-table.js';
export { allocateLocalIdentities, LocalIdentityAllocator } from './local-identity-allocator.js';
export {
  LOCAL_IDENTITY_FLAG,
  MAX_GLOBAL_IDENTITY,
  MIN_GLOBAL_IDENTITY,
  RESERVED_IDENTITIES,
  RESERVED_NAMES,
  reservedLabel,
} from './reserved-identities.js';
export type { ReservedName } from './reserved-identities.js';
export { stableHash32, stableHex } from './stable-hash.js';
