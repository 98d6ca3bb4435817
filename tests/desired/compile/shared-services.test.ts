import { describe, expect, it } from 'vitest';
import { changedKinds, compile, compileAll, compileCluster } from '../../../src/desired/compile.js';
import { RESOURCE_KINDS } from '../../../src/desired/desired-state.js';
import { buildClusterProgram } from '../../../src/desired/compile/cluster-program.js';
import { compileNodeServices } from '../../../src/desired/compile/service/compile-node-services.js';
import { sharedNodeServices } from '../../../src/desired/compile/service/shared-services.js';
import { sortEntries } from '../../../src/desired/compile/sorted-entries.js';
import { Warnings } from '../../../src/desired/compile/warnings.js';
import type { Model } from '../../../src/desired/model.js';
import { twoNodeCluster } from '../../support/model-builder.js';

// Services of every frontend type, backends shared between Services, a
// Maglev table, NodePorts on some Services only.
const cluster = (extra: (b: ReturnType<typeof twoNodeCluster>) => void = () => {}): Model => {
  const b = twoNodeCluster({ loadBalancer: { maglevTableSize: 251 } })
    .node('n3', '192.168.1.3', '10.0.3.0/24')
    .endpoint('web-1', 'n1', { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }] })
    .endpoint('web-2', 'n2', { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }] })
    .service('web', {
      type: 'NodePort',
      ports: [{ port: 80, targetPort: 'http' }],
      selector: { app: 'web' },
      algorithm: 'maglev',
    })
    .service('web-ext', {
      ports: [{ port: 80, targetPort: 'http' }],
      selector: { app: 'web' },
      externalIPs: ['203.0.113.9', '203.0.113.10'],
    })
    .service('api', { ports: [{ port: 443 }], backends: [{ address: '10.0.2.9' }, { address: '10.0.1.8' }] });
  extra(b);
  return b.build();
};

/** The load-balancer lists and warnings as compileNodeServices gives them for the node alone. */
function perNode(model: Model, node: string): string {
  const program = buildClusterProgram(model);
  const warnings = new Warnings();
  const s = compileNodeServices(program.services!, program.view.nodes.get(node)!, warnings);
  const lists = [sortEntries(s.service), sortEntries(s.backend), sortEntries(s.revnat), sortEntries(s.maglev)];
  return JSON.stringify([lists, warnings.list()]);
}

function shared(model: Model, node: string): string {
  const program = buildClusterProgram(model);
  const s = sharedNodeServices(program.services!, program.view.nodes.get(node)!);
  return JSON.stringify([[s.service, s.backend, s.revnat, s.maglev], s.warnings.list()]);
}

describe('load-balancer entries shared by every node', () => {
  it('are exactly what each node compiled alone gets, NodePorts merged in', () => {
    const m = cluster();
    for (const node of ['n1', 'n2', 'n3']) expect(shared(m, node)).toBe(perNode(m, node));
    expect(compile(m, 'n1').resources.service.map((e) => e.value.type)).toContain('NodePort');
  });

  it('are exactly the per-node ones when a NodePort collides with a shared frontend', () => {
    // n1's address is also an ExternalIP on the web NodePort's port range: whoever comes first wins.
    const m = cluster((b) =>
      b.service('clash', {
        ports: [{ port: 30080 }],
        externalIPs: ['192.168.1.1'],
        backends: [{ address: '10.0.1.7' }],
      }),
    );
    const np = compile(m, 'n1').resources.service.find((e) => e.value.type === 'NodePort')!.value.port;
    const clash = cluster((b) =>
      b.service('clash', { ports: [{ port: np }], externalIPs: ['192.168.1.1'], backends: [{ address: '10.0.1.7' }] }),
    );
    for (const node of ['n1', 'n2']) expect(shared(clash, node)).toBe(perNode(clash, node));
    expect(compile(clash, 'n1').warnings.map((w) => w.code)).toContain('W_SERVICE_FRONTEND_CONFLICT');
  });

  it('are one list for every node when no Service has a NodePort', () => {
    const m = twoNodeCluster()
      .service('api', { ports: [{ port: 443 }], backends: [{ address: '10.0.2.9' }] })
      .build();
    const all = compileAll(m);
    expect(all.get('n1')!.resources.backend).toBe(all.get('n2')!.resources.backend);
    expect(all.get('n1')!.resources.identity).toBe(all.get('n2')!.resources.identity);
  });

  it('leave compileAll byte-identical to compiling each node on its own', () => {
    const m = cluster();
    const all = compileAll(m);
    for (const node of ['n1', 'n2', 'n3']) expect(JSON.stringify(all.get(node))).toBe(JSON.stringify(compile(m, node)));
  });
});

describe('the kinds two models can differ in', () => {
  it('leaves the load-balancer kinds out only when both hold the same Cluster, Node, Endpoint and Service objects', () => {
    const m = cluster();
    const lb = ['service', 'backend', 'revnat', 'maglev'];
    expect(changedKinds(m, { ...m, policies: [] }).some((k) => lb.includes(k))).toBe(false);
    expect(changedKinds(m, { ...m, policies: [] })).toContain('policy');
    const moved = { ...m, endpoints: [...m.endpoints.slice(1), { ...m.endpoints[0]! }] };
    expect(changedKinds(m, moved)).toEqual([...RESOURCE_KINDS]);
    expect(changedKinds(m, { ...m, services: m.services.slice(1) })).toEqual([...RESOURCE_KINDS]);
  });

  it('compiles the other kinds exactly as a full compile does when the load-balancer kinds are left out', () => {
    const m = cluster();
    const kinds = changedKinds(m, { ...m, policies: [] });
    const part = compileCluster(m, { kinds }).node('n1');
    const whole = compile(m, 'n1');
    for (const k of kinds) expect(JSON.stringify(part.resources[k])).toBe(JSON.stringify(whole.resources[k]));
    expect(part.resources.service).toEqual([]);
  });
});
