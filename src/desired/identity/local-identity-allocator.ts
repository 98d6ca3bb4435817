import { allocateByHash } from './hash-probe.js';
import type { IdentityAllocator } from './identity-allocator.js';
import { labelSetKey, type IdentityTable } from './identity-table.js';
import { MAX_GLOBAL_IDENTITY, MIN_GLOBAL_IDENTITY } from './reserved-identities.js';

/** Hashes each label set into the global range: the same labels get the same number everywhere without coordination. */
export function allocateLocalIdentities(
  labelSets: readonly (readonly string[])[],
  keys: readonly string[] = labelSets.map(labelSetKey),
): IdentityTable {
  return allocateByHash(keys, {
    min: MIN_GLOBAL_IDENTITY,
    max: MAX_GLOBAL_IDENTITY,
    space: 'global identities',
  });
}

export class LocalIdentityAllocator implements IdentityAllocator {
  allocate(labelSets: readonly (readonly string[])[]): Promise<IdentityTable> {
    return Promise.resolve(allocateLocalIdentities(labelSets));
  }
}
