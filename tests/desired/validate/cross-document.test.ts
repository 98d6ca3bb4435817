import { describe, expect, it } from 'vitest';
import { errorsOf, load, warningsOf } from '../load/tree-of.js';

const head = (kind: string, name: string, extra = '') =>
  `apiVersion: gitwire.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${extra}spec:\n`;
const cluster = (name = 'c', cidr = '10.0.0.0/16') =>
  `${head('Cluster', name)}  clusterCIDR: ${cidr}\n  serviceCIDR: 10.96.0.0/16\n`;
const node = (name: string, address: string, podCIDR: string) =>
  `${head('Node', name)}  address: ${address}\n  podCIDR: ${podCIDR}\n`;
const endpoint = (name: string, nodeName: string, address: string, labels = 'app: web') =>
  `${head('Endpoint', name, `  labels: {${labels}}\n`)}  node: ${nodeName}\n  address: ${address}\n  ports:\n  - {name: http, containerPort: 8080}\n`;
const service = (name: string, body: string) => `${head('Service', name)}${body}`;

const base = {
  'cluster.yaml': cluster(),
  'nodes.yaml': `${node('n1', '192.168.1.1', '10.0.1.0/24')}---\n${node('n2', '192.168.1.2', '10.0.2.0/24')}`,
};

describe('gitwire cross-document checks', () => {
  it('accepts a consistent cluster, nodes, endpoints and a service', () => {
    const res = load({
      ...base,
      'ep.yaml': endpoint('web-1', 'n1', '10.0.1.5'),
      'svc.yaml': service(
        'web',
        '  clusterIP: 10.96.0.10\n  selector: {app: web}\n  ports:\n  - {port: 80, targetPort: http}\n',
      ),
    });
    expect(res.diagnostics).toEqual([]);
    expect(res.model?.services[0]?.namespace).toBe('default');
    expect(res.model?.nodes.map((n) => n.namespace)).toEqual([null, null]);
  });

  it('rejects a second Cluster', () => {
    expect(errorsOf({ 'a.yaml': cluster('a'), 'b.yaml': cluster('b') })).toEqual([
      'b.yaml:1: only one Cluster may be declared; another is at a.yaml:1',
    ]);
  });

  it('rejects a duplicate name of the same kind and namespace, and allows it in another namespace', () => {
    const svc = (ns: string) =>
      service('web', '  backends: [{address: 10.0.1.9}]\n  ports:\n  - {port: 80}\n').replace(
        '  name: web\n',
        `  name: web\n  namespace: ${ns}\n`,
      );
    expect(errorsOf({ ...base, 'a.yaml': svc('prod'), 'b.yaml': svc('prod'), 'c.yaml': svc('dev') })).toEqual([
      'b.yaml:4: metadata.name: Service prod/web is already declared at a.yaml:1',
    ]);
  });

  it('rejects an endpoint on an unknown node', () => {
    expect(errorsOf({ ...base, 'ep.yaml': endpoint('web-1', 'n9', '10.0.1.5') })).toEqual([
      'ep.yaml:7: spec.node: unknown node "n9" (declared nodes: n1, n2)',
    ]);
  });

  it('rejects overlapping pod CIDRs and a pod CIDR outside the cluster CIDR', () => {
    const nodes = `${node('n1', '192.168.1.1', '10.0.1.0/24')}---\n${node('n2', '192.168.1.2', '10.0.0.0/23')}---\n${node('n3', '192.168.1.3', '10.1.0.0/24')}`;
    expect(errorsOf({ 'cluster.yaml': cluster(), 'nodes.yaml': nodes })).toEqual([
      "nodes.yaml:15: spec.podCIDR: podCIDR 10.0.0.0/23 overlaps node n1's podCIDR 10.0.1.0/24 (nodes.yaml:1)",
      'nodes.yaml:23: spec.podCIDR: podCIDR 10.1.0.0/24 is outside the cluster CIDR 10.0.0.0/16',
    ]);
  });

  it("rejects an endpoint address outside its node's pod CIDR and a duplicate endpoint address", () => {
    const eps = `${endpoint('a', 'n1', '10.0.2.5')}---\n${endpoint('b', 'n2', '10.0.2.5')}`;
    expect(errorsOf({ ...base, 'ep.yaml': eps })).toEqual([
      "ep.yaml:8: spec.address: address 10.0.2.5 is outside node n1's podCIDR 10.0.1.0/24",
      "ep.yaml:19: spec.address: address 10.0.2.5 is already endpoint default/a's (ep.yaml:1)",
    ]);
  });

  it('rejects colliding service clusterIPs', () => {
    const body = '  clusterIP: 10.96.0.10\n  backends: [{address: 10.0.1.9}]\n  ports:\n  - {port: 80}\n';
    expect(errorsOf({ ...base, 's.yaml': `${service('a', body)}---\n${service('b', body)}` })).toEqual([
      "s.yaml:16: spec.clusterIP: clusterIP 10.96.0.10 is already service default/a's (s.yaml:1)",
    ]);
  });

  it('rejects a named targetPort that no selected endpoint declares', () => {
    const svc = service('web', '  selector: {app: web}\n  ports:\n  - {port: 80, targetPort: metrics}\n');
    expect(errorsOf({ ...base, 'ep.yaml': endpoint('web-1', 'n1', '10.0.1.5'), 'svc.yaml': svc })).toEqual([
      'svc.yaml:8: spec.ports[0].targetPort: named targetPort "metrics" (TCP) is declared by none of the 1 selected endpoint(s)',
    ]);
  });

  it('warns about a service that selects nothing and has no backends', () => {
    const svc = service('web', '  selector: {app: nothing}\n  ports:\n  - {port: 80}\n');
    expect(warningsOf({ ...base, 'svc.yaml': svc })).toEqual([
      'warning: svc.yaml:6: spec.selector: the service has no backends: its selector matches no endpoint in its namespace and no explicit backends',
    ]);
  });

  it('reports gitwire schema errors at the offending field', () => {
    expect(errorsOf({ 'n.yaml': node('n1', '192.168.1.300', '10.0.1.0/24') })).toEqual([
      expect.stringMatching(/^n\.yaml:6: spec\.address: /),
    ]);
  });

  it('rejects an unknown kind in the gitwire group instead of ignoring it', () => {
    expect(errorsOf({ 'x.yaml': head('Servce', 'web') + '  ports: []\n' })).toEqual([
      'x.yaml:2: kind: unknown kind Servce in gitwire.io/v1alpha1; did you mean Service? (gitwire reads Cluster, Node, Endpoint, Service, HealthCheck there)',
    ]);
  });
});
