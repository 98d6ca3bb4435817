import type { IdentityTable } from './identity-table.js';

/**
 * Hands out cluster-wide identities for label sets. Async so that an allocator
 * backed by a cluster store (etcd compare-and-swap) can replace the local one;
 * it runs before the synchronous compile, whose input is the resulting table.
 */
export interface IdentityAllocator {
  allocate(labelSets: readonly (readonly string[])[]): Promise<IdentityTable>;
}
