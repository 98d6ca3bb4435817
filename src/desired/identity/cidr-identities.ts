import { allocateByHash } from './hash-probe.js';
import { LOCAL_IDENTITY_FLAG, MAX_LOCAL_IDENTITY } from './reserved-identities.js';

/** Node-local CIDR identities (bit 24 set), stable per prefix. */
export function allocateCidrIdentities(prefixes: Iterable<string>): ReadonlyMap<string, number> {
  const slots = allocateByHash(prefixes, { min: 1, max: MAX_LOCAL_IDENTITY, space: 'CIDR identities' });
  return new Map([...slots].map(([prefix, n]) => [prefix, LOCAL_IDENTITY_FLAG | n]));
}

export function cidrLabels(prefix: string): string[] {
  return [`cidr:${prefix}`, 'reserved:world'];
}
