import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import type { ResourceKind } from '../../../src/desired/desired-state.js';
import {
  APPLY_ORDER,
  applyOrder,
  DELETE_ORDER,
  DRIVEN_KINDS,
  KINDS,
  kindSpec,
  mapFit,
  RESOURCE_KINDS,
} from '../../../src/desired/kinds/index.js';
import type { Drivers } from '../../../src/datapath/index.js';
import { twoNodeCluster } from '../../support/model-builder.js';

const model = () =>
  twoNodeCluster()
    .endpoint('deathstar', 'n1', { labels: { org: 'empire', class: 'deathstar' } })
    .endpoint('tiefighter', 'n2', { labels: { org: 'empire', class: 'tiefighter' } })
    .service('deathstar', {
      type: 'NodePort',
      ports: [{ port: 80, nodePort: 30080 }],
      selector: { class: 'deathstar' },
      algorithm: 'maglev',
    })
    .policy('rule1', {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [
        {
          fromEndpoints: [{ matchLabels: { org: 'empire' } }],
          toPorts: [
            {
              ports: [{ port: '80', protocol: 'TCP' }],
              rules: { http: [{ method: 'POST', path: '/v1/request-landing' }] },
            },
          ],
        },
      ],
    })
    .healthCheck('landing', {
      from: { endpoint: 'default/tiefighter' },
      to: { service: 'default/deathstar', port: 80 },
      probe: 'tcp',
    })
    .build();

describe('the kind registry', () => {
  it('declares every resource kind once, and drives every kind but the compile-only identity and healthcheck', () => {
    expect([...RESOURCE_KINDS].sort()).toEqual(Object.keys(KINDS).sort());
    expect(new Set(RESOURCE_KINDS).size).toBe(RESOURCE_KINDS.length);
    expect(RESOURCE_KINDS.filter((k) => !DRIVEN_KINDS.includes(k as never))).toEqual(['identity', 'healthcheck']);
    for (const k of RESOURCE_KINDS) for (const d of KINDS[k].dependsOn) expect(RESOURCE_KINDS).toContain(d);
  });

  it('renders every compiled key with the key function observe calls', () => {
    const state = compile(model(), 'n1');
    const probes = compile(model(), 'n2').resources.healthcheck;
    for (const e of probes) expect(kindSpec('healthcheck').key(e.value)).toBe(e.key);
    const seen = new Set<ResourceKind>();
    for (const kind of RESOURCE_KINDS) {
      const { key } = kindSpec(kind);
      for (const e of state.resources[kind]) {
        expect(key(e.value)).toBe(e.key);
        seen.add(kind);
      }
    }
    // The model exercises every kind, so no key function goes unchecked.
    expect(probes).toHaveLength(1);
    expect([...seen, 'healthcheck'].sort()).toEqual([...RESOURCE_KINDS].sort());
  });

  it("compiles the node-device attachments only while a NodePort frontend or the node's own way to services needs them", () => {
    const state = compile(model(), 'n1');
    const address = state.resources.service.find((s) => s.value.type === 'NodePort')!.value.address;
    expect(state.resources.netdev.map((e) => e.key)).toEqual([`${address}/egress`, `${address}/ingress`]);
    const clusterIpOnly = (spec: { serviceCIDR?: string }) =>
      twoNodeCluster(spec)
        .endpoint('deathstar', 'n1', { labels: { class: 'deathstar' } })
        .service('deathstar', { ports: [{ port: 80 }], selector: { class: 'deathstar' } })
        .build();
    expect(compile(clusterIpOnly({ serviceCIDR: undefined }), 'n1').resources.netdev).toEqual([]);
    // With a service CIDR the host reaches ClusterIPs through gw_host; remote backends' replies come back through the device.
    const host = compile(clusterIpOnly({}), 'n1').resources;
    expect(host.netdev.map((e) => e.key)).toEqual(['192.168.1.1/egress', '192.168.1.1/ingress']);
    expect(host.link.find((e) => e.key === 'gw_host')?.value).toMatchObject({
      kind: 'veth',
      peerNetns: null,
      peerName: 'gw_net',
    });
    expect(host.route.find((e) => e.key === '10.96.0.0/16')?.value).toMatchObject({
      dev: 'gw_host',
      src: '192.168.1.1',
    });
    expect(host.program.find((e) => e.value.ifName === 'gw_host')?.value).toMatchObject({
      hook: 'egress',
      program: 'gw_from_host',
    });
  });
});

describe('the derived apply order', () => {
  it('writes every driven kind once, each after every kind it depends on', () => {
    expect([...APPLY_ORDER].sort()).toEqual([...DRIVEN_KINDS].sort());
    for (const kind of APPLY_ORDER) {
      for (const dep of KINDS[kind].dependsOn)
        expect(APPLY_ORDER.indexOf(dep as never)).toBeLessThan(APPLY_ORDER.indexOf(kind));
    }
  });

  it('deletes in exactly the reverse order', () => {
    expect(DELETE_ORDER).toEqual([...APPLY_ORDER].reverse());
  });

  it('puts the node-device programs after the service slots they translate to', () => {
    expect(APPLY_ORDER.indexOf('netdev')).toBeGreaterThan(APPLY_ORDER.indexOf('service'));
    expect(DELETE_ORDER.indexOf('netdev')).toBeLessThan(DELETE_ORDER.indexOf('service'));
  });

  it('keeps declaration order among independent kinds and refuses cycles and unknown kinds', () => {
    const specs = { a: { dependsOn: ['c'] }, b: { dependsOn: [] }, c: { dependsOn: [] } } as const;
    expect(applyOrder(['a', 'b', 'c'], specs)).toEqual(['b', 'c', 'a']);
    expect(() => applyOrder(['a', 'b'], { a: { dependsOn: ['b'] }, b: { dependsOn: ['a'] } })).toThrow(/cycle: a, b/);
    expect(() => applyOrder(['a'], { a: { dependsOn: ['z'] } })).toThrow(/depends on z/);
  });
});

describe('map fit', () => {
  it('writes new before stale while both fit, deletes stale first when only the new fit, refuses overflow', () => {
    expect(mapFit(10, 5, 15)).toBe('fits');
    expect(mapFit(10, 6, 15)).toBe('delete-first');
    expect(mapFit(16, 0, 15)).toBe('overflow');
  });
});

describe('driver binding', () => {
  it('is checked by the compiler: a missing or mistyped driver does not compile', () => {
    const ok = null as unknown as Drivers;
    // @ts-expect-error netdev's driver is missing
    const missing: Drivers = { ...ok, netdev: undefined };
    // @ts-expect-error the program driver handles another kind's values
    const mistyped: Drivers = { ...ok, program: ok?.policy };
    expect([missing, mistyped]).toHaveLength(2);
  });
});
