/**
 * Label set → numeric identity. Keyed by `labelSetKey`, the sorted labels each
 * followed by `;`, as Cilium keys identities in its kvstore.
 */
export type IdentityTable = ReadonlyMap<string, number>;

export function labelSetKey(labels: readonly string[]): string {
  return [...new Set(labels)]
    .sort()
    .map((l) => `${l};`)
    .join('');
}

export function labelsOfKey(key: string): string[] {
  return key.split(';').filter((l) => l !== '');
}
