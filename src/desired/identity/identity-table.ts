/**
 * Label set → numeric identity. Keyed by `labelSetKey`, the sorted labels each
 * followed by `;`, as Cilium keys identities in its kvstore.
 */
export type IdentityTable = ReadonlyMap<string, number>;

export function labelSetKey(labels: readonly string[]): string {
  // endpointLabels gives its labels sorted and distinct: then they need no copy.
  let ordered = true;
  for (let i = 1; i < labels.length && ordered; i++) ordered = labels[i - 1]! < labels[i]!;
  const list = ordered ? labels : [...new Set(labels)].sort();
  return list.length === 0 ? '' : `${list.join(';')};`;
}

export function labelsOfKey(key: string): string[] {
  return key.split(';').filter((l) => l !== '');
}
