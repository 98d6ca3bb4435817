import { describe, expect, it } from 'vitest';
import {
  allocateCidrIdentities,
  allocateLocalIdentities,
  endpointLabels,
  labelSetKey,
  LocalIdentityAllocator,
  modelLabelSets,
} from '../../../src/desired/identity/index.js';
import { twoNodeCluster } from '../../support/model-builder.js';

const sets = Array.from({ length: 300 }, (_, i) => [`k8s:app=a${i}`, 'k8s:io.kubernetes.pod.namespace=default']);

describe('LocalIdentityAllocator', () => {
  it('gives the same labels the same identity whatever the order and the other label sets', async () => {
    const a = await new LocalIdentityAllocator().allocate(sets);
    const b = allocateLocalIdentities([...sets].reverse().map((s) => [...s].reverse()));
    for (const s of sets) expect(b.get(labelSetKey(s))).toBe(a.get(labelSetKey(s)));
  });

  it('allocates distinct identities in the global range from 256', () => {
    const table = allocateLocalIdentities(sets);
    const ids = [...table.values()];
    expect(new Set(ids).size).toBe(sets.length);
    for (const id of ids) expect(id >= 256 && id <= 65_535).toBe(true);
  });

  it('does not renumber existing label sets when a new one is added', () => {
    const before = allocateLocalIdentities(sets.slice(0, 100));
    const after = allocateLocalIdentities([...sets.slice(0, 100), ['k8s:app=newcomer']]);
    for (const [key, id] of before) expect(after.get(key)).toBe(id);
  });

  it('derives endpoint labels from metadata, namespace, service account and cluster', () => {
    const model = twoNodeCluster()
      .endpoint('web', 'n1', { namespace: 'shop', labels: { app: 'web' }, serviceAccount: 'frontend' })
      .build();
    expect(endpointLabels(model.endpoints[0]!, 'default')).toEqual([
      'k8s:app=web',
      'k8s:io.cilium.k8s.policy.cluster=default',
      'k8s:io.cilium.k8s.policy.serviceaccount=frontend',
      'k8s:io.kubernetes.pod.namespace=shop',
    ]);
    expect(modelLabelSets(model)).toHaveLength(1);
  });

  it('puts CIDR identities in the local scope, stable per prefix', () => {
    const a = allocateCidrIdentities(['10.0.0.0/8', '192.168.0.0/16']);
    const b = allocateCidrIdentities(['172.16.0.0/12', '192.168.0.0/16', '10.0.0.0/8']);
    for (const [prefix, id] of a) {
      expect(id & 0x0100_0000).toBe(0x0100_0000);
      expect(id).toBeLessThanOrEqual(0x01ff_ffff);
      expect(b.get(prefix)).toBe(id);
    }
  });
});
