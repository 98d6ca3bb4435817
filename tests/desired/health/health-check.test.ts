import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import { asObserved, plan } from '../../../src/reconciler/plan.js';
import { errorsOf, load, warningsOf } from '../load/tree-of.js';

const head = (kind: string, name: string) =>
  `apiVersion: gitwire.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n`;
const base = {
  'cluster.yaml': `${head('Cluster', 'c')}  clusterCIDR: 10.0.0.0/16\n  serviceCIDR: 10.96.0.0/16\n`,
  'nodes.yaml': `${head('Node', 'n1')}  address: 192.168.1.1\n  podCIDR: 10.0.1.0/24\n---\n${head('Node', 'n2')}  address: 192.168.1.2\n  podCIDR: 10.0.2.0/24\n`,
  'eps.yaml': [
    `${head('Endpoint', 'client')}  node: n1\n  address: 10.0.1.5\n`,
    `${head('Endpoint', 'web')}  node: n2\n  address: 10.0.2.5\n  ports:\n  - {name: http, containerPort: 8080}\n`,
  ].join('---\n'),
  'svc.yaml': `${head('Service', 'web')}  clusterIP: 10.96.0.10\n  selector: {}\n  backends: [{address: 10.0.2.5, port: 8080}]\n  ports:\n  - {name: web, port: 80, targetPort: 8080}\n`,
};
const check = (name: string, body: string) => ({ [`checks/${name}.yaml`]: `${head('HealthCheck', name)}${body}` });

describe('HealthCheck declarations', () => {
  it('compiles a check onto the node hosting its from endpoint, with the target resolved to an address', () => {
    const res = load({
      ...base,
      ...check('to-web', '  from: {endpoint: default/client}\n  to: {service: default/web, port: web}\n  probe: tcp\n'),
      ...check(
        'no-admin',
        '  from: {endpoint: default/client}\n  to: {endpoint: default/web}\n  probe: http\n  port: 8080\n  path: /admin\n  expect: deny\n  deadline: 500ms\n',
      ),
    });
    expect(res.diagnostics).toEqual([]);
    const n1 = compile(res.model!, 'n1').resources.healthcheck;
    expect(n1.map((e) => e.key)).toEqual(['default/no-admin', 'default/to-web']);
    expect(n1[1]!.value).toEqual({
      name: 'default/to-web',
      probe: 'tcp',
      from: 'default/client',
      netns: 'gw-n1_default_client',
      to: 'service default/web:web',
      address: '10.96.0.10',
      port: 80,
      path: null,
      status: null,
      expect: 'allow',
      deadlineMs: 2000,
      file: 'checks/to-web.yaml',
      line: 1,
    });
    expect(n1[0]!.value).toMatchObject({ address: '10.0.2.5', port: 8080, path: '/admin', status: 200 });
    expect(n1[0]!.value).toMatchObject({ expect: 'deny', deadlineMs: 500 });
    expect(n1[0]!.label).toBe(
      'http default/client → endpoint default/web (10.0.2.5:8080) expect deny, checks/no-admin.yaml:1',
    );
    // n2 hosts no from endpoint: it runs nothing.
    expect(compile(res.model!, 'n2').resources.healthcheck).toEqual([]);
  });

  it('lists a HealthCheck change in a plan between commits, and nothing else', () => {
    const probe = (port: number) =>
      check('p', `  from: {endpoint: default/client}\n  to: {address: 10.0.2.5}\n  probe: tcp\n  port: ${port}\n`);
    const before = compile(load({ ...base, ...probe(80) }).model!, 'n1');
    const after = compile(load({ ...base, ...probe(81) }).model!, 'n1');
    const changes = plan(after, asObserved(before)).changes;
    expect(changes.map((c) => `${c.action} ${c.resource} ${c.key}`)).toEqual(['update healthcheck default/p']);
  });

  it('points at file:line and the field for shape errors', () => {
    expect(
      errorsOf({
        ...base,
        ...check(
          'a',
          '  from: {endpoint: client}\n  to: {endpoint: default/web, address: 10.0.0.1}\n  probe: tcp\n  port: 80\n',
        ),
      }),
    ).toEqual([
      'checks/a.yaml:6: spec.from.endpoint: must be namespace/name (a DNS-1123 label, "/", a DNS-1123 subdomain)',
      'checks/a.yaml:7: spec.to: give exactly one of endpoint, service or address',
    ]);
    expect(
      errorsOf({
        ...base,
        ...check('b', '  from: {endpoint: default/client}\n  to: {address: 10.0.2.5}\n  probe: icmp\n  port: 80\n'),
        ...check('c', '  from: {endpoint: default/client}\n  to: {endpoint: default/web}\n  probe: tcp\n  path: /x\n'),
        ...check(
          'd',
          '  from: {endpoint: default/client}\n  to: {address: 10.0.2.5}\n  probe: tcp\n  port: 1\n  deadline: 2m\n',
        ),
      }),
    ).toEqual([
      'checks/b.yaml:9: spec.port: an icmp probe has no port (and cannot target a service)',
      'checks/c.yaml:5: spec.port: a tcp probe of an endpoint or address needs a port',
      'checks/c.yaml:9: spec.path: path applies to http probes only',
      'checks/d.yaml:10: spec.deadline: must be a duration in ms or s, like 500ms or 2s',
    ]);
  });

  it('rejects a name that is not a DNS-1123 subdomain and a namespace that smuggles an argument', () => {
    const errors = errorsOf({
      ...base,
      ...check('Bad_Name', '  from: {endpoint: "-n/x"}\n  to: {address: 10.0.2.5}\n  probe: icmp\n'),
    });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^checks\/Bad_Name\.yaml:4: metadata\.name: must be a lowercase DNS-1123 subdomain/);
    expect(errors[1]).toMatch(/^checks\/Bad_Name\.yaml:6: spec\.from\.endpoint: must be namespace\/name/);
  });

  it('rejects references to undeclared endpoints, services, service ports and nodes', () => {
    expect(
      errorsOf({
        ...base,
        ...check('a', '  from: {endpoint: default/ghost}\n  to: {endpoint: default/nobody}\n  probe: icmp\n'),
        ...check('b', '  from: {endpoint: default/client}\n  to: {service: default/web, port: 81}\n  probe: tcp\n'),
        ...check(
          'c',
          '  from: {endpoint: default/client}\n  to: {service: default/api, port: 80}\n  probe: tcp\n  nodes: [n9]\n',
        ),
      }),
    ).toEqual([
      'checks/a.yaml:6: spec.from.endpoint: unknown endpoint "default/ghost"',
      'checks/a.yaml:7: spec.to.endpoint: unknown endpoint "default/nobody"',
      'checks/b.yaml:7: spec.to.port: service default/web has no port 81 (its ports: web)',
      'checks/c.yaml:7: spec.to.service: unknown service "default/api"',
      'checks/c.yaml:9: spec.nodes[0]: unknown node "n9"',
    ]);
  });

  it('warns about a check its nodes list keeps off the node that hosts its from endpoint', () => {
    const files = {
      ...base,
      ...check('a', '  from: {endpoint: default/client}\n  to: {address: 10.0.2.5}\n  probe: icmp\n  nodes: [n2]\n'),
    };
    expect(warningsOf(files)).toEqual([
      'warning: checks/a.yaml:9: spec.nodes: the probe runs on the node hosting default/client (n1), which spec.nodes leaves out: it never runs',
    ]);
    expect(compile(load(files).model!, 'n1').resources.healthcheck).toEqual([]);
  });
});
