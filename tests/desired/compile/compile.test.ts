import { describe, expect, it } from 'vitest';
import { compile, compileAll, compareKeys, CompileError } from '../../../src/desired/compile.js';
import { RESOURCE_KINDS } from '../../../src/desired/desired-state.js';
import { allocateLocalIdentities, modelLabelSets } from '../../../src/desired/identity/index.js';
import { ModelBuilder, twoNodeCluster } from '../../support/model-builder.js';

const model = () =>
  twoNodeCluster()
    .endpoint('deathstar', 'n1', { labels: { org: 'empire', class: 'deathstar' } })
    .endpoint('tiefighter', 'n2', { labels: { org: 'empire', class: 'tiefighter' } })
    .endpoint('xwing', 'n1', { labels: { org: 'alliance', class: 'xwing' } })
    .service('deathstar', { ports: [{ port: 80 }], selector: { class: 'deathstar' }, algorithm: 'maglev' })
    .policy('rule1', {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [
        {
          fromEndpoints: [{ matchLabels: { org: 'empire' } }],
          toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }],
        },
      ],
      egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] }],
    })
    .build();

describe('compile', () => {
  it('gives byte-identical output for the same model, and the same as compileAll', () => {
    const a = JSON.stringify(compile(model(), 'n1'));
    expect(JSON.stringify(compile(model(), 'n1'))).toBe(a);
    expect(JSON.stringify(compileAll(model()).get('n1'))).toBe(a);
  });

  it('sorts every resource by key and deep-freezes the state', () => {
    const s = compile(model(), 'n1');
    for (const kind of RESOURCE_KINDS) {
      const keys = s.resources[kind].map((e) => e.key);
      expect([...keys].sort(compareKeys)).toEqual(keys);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.resources.policy[0]!.value)).toBe(true);
    expect(Object.isFrozen(s.resources.maglev[0]!.value)).toBe(true);
  });

  it('orders numeric keys numerically', () => {
    expect(['10', '9', '100'].sort(compareKeys)).toEqual(['9', '10', '100']);
    expect(['10.0.0.10/32', '10.0.0.9/32'].sort(compareKeys)).toEqual(['10.0.0.9/32', '10.0.0.10/32']);
  });

  it('uses an identity table from an allocator when given one', () => {
    const m = model();
    const table = new Map([...allocateLocalIdentities(modelLabelSets(m)).keys()].map((k, i) => [k, 1000 + i]));
    const s = compile(m, 'n1', { identities: table });
    expect(s.resources.endpoint.every((e) => e.value.identity >= 1000 && e.value.identity < 1003)).toBe(true);
    expect(() => compile(m, 'n1', { identities: new Map() })).toThrow(
      expect.objectContaining({ code: 'E_COMPILE_IDENTITY_MISSING' }),
    );
  });

  it('rejects an unknown node and a model without a Cluster with stable codes', () => {
    expect(() => compile(model(), 'n9')).toThrow(CompileError);
    expect(() => compile(model(), 'n9')).toThrow(expect.objectContaining({ code: 'E_COMPILE_UNKNOWN_NODE' }));
    const noCluster = new ModelBuilder().node('n1', '192.168.1.1', '10.0.1.0/24').build();
    expect(() => compile(noCluster, 'n1')).toThrow(expect.objectContaining({ code: 'E_COMPILE_NO_CLUSTER' }));
  });

  it('maps 0.0.0.0/0 to world and keeps excepted prefixes out of the allow set', () => {
    const s = compile(model(), 'n1');
    expect(s.resources.ipcache.find((e) => e.key === '0.0.0.0/0')!.value.identity).toBe(2);
    const except = s.resources.ipcache.find((e) => e.key === '10.0.0.0/8')!.value.identity;
    const egress = s.resources.policy.filter((e) => e.value.direction === 'egress').map((e) => e.value.identity);
    expect(egress).toEqual([2]);
    expect(egress).not.toContain(except);
  });
});
