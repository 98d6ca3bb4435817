import { describe, expect, it } from 'vitest';
import { compile, decodeMaglevTable } from '../../../src/desired/compile.js';
import { maglevTable } from '../../../src/desired/compile/service/maglev-table.js';
import { twoNodeCluster, type ModelBuilder } from '../../support/model-builder.js';

const deathstar = (b: ModelBuilder, extra: object = {}) =>
  b
    .endpoint('deathstar-1', 'n1', {
      labels: { org: 'empire', class: 'deathstar' },
      address: '10.0.1.5',
      ports: [{ name: 'http', containerPort: 8080 }],
    })
    .endpoint('deathstar-2', 'n2', {
      labels: { org: 'empire', class: 'deathstar' },
      address: '10.0.2.7',
      ports: [{ name: 'http', containerPort: 8080 }],
    })
    .service('deathstar', {
      clusterIP: '10.96.0.10',
      ports: [{ port: 80, targetPort: 'http' }],
      selector: { org: 'empire', class: 'deathstar' },
      ...extra,
    });

describe('service compile', () => {
  it('load-balances the ClusterIP over selected endpoints on the named target port', () => {
    const s = compile(deathstar(twoNodeCluster()).build(), 'n1');
    expect(s.resources.service.map((e) => e.key)).toEqual(['10.96.0.10:80/TCP']);
    const svc = s.resources.service[0]!;
    expect(svc.label).toBe('default/deathstar');
    expect(svc.value).toMatchObject({
      address: '10.96.0.10',
      port: 80,
      protocol: 6,
      type: 'ClusterIP',
      algorithm: 'random',
      affinityTimeout: 0,
    });
    const backends = svc.value.backendIds.map((id) => s.resources.backend.find((b) => b.value.id === id)!.value);
    expect(backends.map((b) => `${b.address}:${b.port}`).sort()).toEqual(['10.0.1.5:8080', '10.0.2.7:8080']);
    expect([...svc.value.backendIds]).toEqual([...svc.value.backendIds].sort((a, b) => a - b));
    expect(s.resources.revnat).toEqual([
      expect.objectContaining({ value: { index: svc.value.revNatIndex, address: '10.96.0.10', port: 80 } }),
    ]);
  });

  it('keeps backend ids and revNat indexes when another service or backend appears', () => {
    const a = compile(deathstar(twoNodeCluster()).build(), 'n1');
    const b = compile(
      deathstar(
        twoNodeCluster().endpoint('deathstar-3', 'n2', {
          labels: { org: 'empire', class: 'deathstar' },
          ports: [{ name: 'http', containerPort: 8080 }],
        }),
      )
        .service('other', {
          clusterIP: '10.96.0.11',
          ports: [{ port: 53, protocol: 'UDP' }],
          backends: [{ address: '10.9.9.9' }],
        })
        .build(),
      'n1',
    );
    for (const e of a.resources.backend)
      expect(b.resources.backend.find((x) => x.key === e.key)!.value).toEqual(e.value);
    expect(b.resources.service.find((x) => x.key === '10.96.0.10:80/TCP')!.value.revNatIndex).toBe(
      a.resources.service[0]!.value.revNatIndex,
    );
    expect(b.resources.service.find((x) => x.key === '10.96.0.10:80/TCP')!.value.backendIds).toHaveLength(3);
  });

  it('uses terminating backends only when no active one is left, and keeps them in the backend map', () => {
    const mk = (states: ('active' | 'terminating' | 'maintenance')[]) =>
      compile(
        twoNodeCluster()
          .service('s', {
            clusterIP: '10.96.0.20',
            ports: [{ port: 80 }],
            backends: states.map((state, i) => ({ address: `10.0.9.${i + 1}`, state })),
          })
          .build(),
        'n1',
      );
    const slotAddrs = (s: ReturnType<typeof mk>) =>
      s.resources.service[0]!.value.backendIds.map(
        (id) => s.resources.backend.find((b) => b.value.id === id)!.value.address,
      ).sort();
    const mixed = mk(['active', 'terminating', 'maintenance']);
    expect(slotAddrs(mixed)).toEqual(['10.0.9.1']);
    expect(mixed.resources.backend.map((b) => b.value.state).sort()).toEqual(['active', 'maintenance', 'terminating']);
    expect(slotAddrs(mk(['terminating', 'maintenance', 'terminating']))).toEqual(['10.0.9.1', '10.0.9.3']);
    const none = mk(['maintenance']);
    expect(none.resources.service[0]!.value.backendIds).toEqual([]);
    expect(none.warnings.map((w) => w.code)).toContain('W_SERVICE_NO_BACKENDS');
  });

  it('adds ExternalIP frontends and a NodePort frontend on this node’s address with a stable derived port', () => {
    const m = deathstar(twoNodeCluster(), {
      type: 'NodePort',
      externalIPs: ['203.0.113.9'],
      sessionAffinity: 'ClientIP',
      sessionAffinityTimeoutSeconds: 600,
    }).build();
    const n1 = compile(m, 'n1');
    const n2 = compile(m, 'n2');
    const np1 = n1.resources.service.find((e) => e.value.type === 'NodePort')!.value;
    const np2 = n2.resources.service.find((e) => e.value.type === 'NodePort')!.value;
    expect(np1.address).toBe('192.168.1.1');
    expect(np2.address).toBe('192.168.1.2');
    expect(np1.port).toBe(np2.port);
    expect(np1.port).toBeGreaterThanOrEqual(30_000);
    expect(np1.port).toBeLessThanOrEqual(32_767);
    expect(n1.resources.service.map((e) => e.value.type).sort()).toEqual(['ClusterIP', 'ExternalIP', 'NodePort']);
    expect(n1.resources.service.every((e) => e.value.affinityTimeout === 600)).toBe(true);
    const idx = n1.resources.service.map((e) => e.value.revNatIndex);
    expect(new Set(idx).size).toBe(3);
    expect(n1.resources.revnat.map((e) => e.value.index).sort((a, b) => a - b)).toEqual([...idx].sort((a, b) => a - b));
  });

  it('gives NodePort and ExternalIP frontends the Cluster’s load-balancer mode, a Service’s own overriding it', () => {
    const modes = (cluster: object, service: object) =>
      Object.fromEntries(
        compile(
          deathstar(twoNodeCluster(cluster), { type: 'NodePort', externalIPs: ['203.0.113.9'], ...service }).build(),
          'n1',
        ).resources.service.map((e) => [e.value.type, e.value.mode]),
      );
    expect(modes({}, {})).toEqual({ ClusterIP: 'snat', ExternalIP: 'snat', NodePort: 'snat' });
    // Only traffic from outside has a client to answer directly: the ClusterIP frontend stays plain.
    expect(modes({ loadBalancer: { mode: 'dsr' } }, {})).toEqual({
      ClusterIP: 'snat',
      ExternalIP: 'dsr',
      NodePort: 'dsr',
    });
    expect(modes({ loadBalancer: { mode: 'dsr' } }, { loadBalancerMode: 'snat' })).toMatchObject({ NodePort: 'snat' });
    expect(modes({}, { loadBalancerMode: 'dsr' })).toMatchObject({ NodePort: 'dsr', ExternalIP: 'dsr' });
  });

  it('allocates a ClusterIP from the service CIDR when none is declared', () => {
    const s = compile(
      twoNodeCluster()
        .service('auto', { ports: [{ port: 80 }], backends: [{ address: '10.0.1.9' }] })
        .build(),
      'n1',
    );
    expect(s.resources.service[0]!.value.address).toMatch(/^10\.96\.\d+\.\d+$/);
  });

  it('builds a Maglev table per frontend for maglev services only', () => {
    const s = compile(
      deathstar(twoNodeCluster({ loadBalancer: { maglevTableSize: 251 } }), { algorithm: 'maglev' }).build(),
      'n1',
    );
    const svc = s.resources.service[0]!.value;
    expect(svc.algorithm).toBe('maglev');
    expect(s.resources.maglev).toHaveLength(1);
    const m = s.resources.maglev[0]!.value;
    expect(m).toMatchObject({ revNatIndex: svc.revNatIndex, tableSize: 251 });
    expect(new Set(decodeMaglevTable(m.table))).toEqual(new Set(svc.backendIds));
    expect(compile(deathstar(twoNodeCluster()).build(), 'n1').resources.maglev).toEqual([]);
  });
});

describe('Maglev table', () => {
  const backends = (n: number) => Array.from({ length: n }, (_, i) => ({ id: 100 + i, name: `10.0.0.${i + 1}:80/6` }));

  it('fills every slot and gives each backend ⌊M/N⌋ or ⌈M/N⌉ slots', () => {
    const table = maglevTable(backends(7), 16_381);
    expect(table).toHaveLength(16_381);
    const counts = new Map<number, number>();
    for (const id of table) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(7);
    for (const c of counts.values()) expect([Math.floor(16_381 / 7), Math.ceil(16_381 / 7)]).toContain(c);
  });

  it('moves about 1/N of the slots when one of N backends is removed', () => {
    const n = 10;
    const before = maglevTable(backends(n), 16_381);
    const after = maglevTable(
      backends(n).filter((b) => b.id !== 103),
      16_381,
    );
    const changed = before.filter((id, i) => id !== after[i]).length / before.length;
    expect(changed).toBeGreaterThanOrEqual(1 / n);
    expect(changed).toBeLessThan(1.5 / n);
  });

  it('is the same for the same backends whatever else changes', () => {
    expect(maglevTable(backends(5), 251)).toEqual(maglevTable(backends(5), 251));
  });
});
