import { describe, expect, it } from 'vitest';
import { cnp, errorsOf } from '../load/tree-of.js';

const head = (kind: string, name: string, meta = '') =>
  `apiVersion: gitwire.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${meta}spec:\n`;
const cluster = (tunnel = '') => `${head('Cluster', 'c')}  clusterCIDR: 10.0.0.0/16\n${tunnel}`;
const node = `${head('Node', 'n1')}  address: 192.168.1.1\n  podCIDR: 10.0.1.0/24\n`;
const endpoint = (name: string, meta = '', body = '') =>
  `${head('Endpoint', name, meta)}  node: n1\n  address: 10.0.1.5\n${body}`;

describe('strict grammars for strings that reach commands, devices and files', () => {
  it.each(['x netns 1', 'x master br0', 'a/b', 'a:b', '..', '.', 'x\ty'])(
    'rejects tunnel device %j, which would reach an ip batch line',
    (device) => {
      const errors = errorsOf({
        'c.yaml': cluster(`  tunnel:\n    device: ${JSON.stringify(device)}\n`),
        'n.yaml': node,
      });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^c\.yaml:8: spec\.tunnel\.device: must be an interface name/);
    },
  );

  it('accepts a plain interface name for the tunnel device', () => {
    expect(errorsOf({ 'c.yaml': cluster('  tunnel:\n    device: vxlan_gw.0\n'), 'n.yaml': node })).toEqual([]);
  });

  it('rejects a namespace that is not a DNS-1123 label (dots, 64 characters)', () => {
    const long = 'n'.repeat(64);
    expect(
      errorsOf({
        'c.yaml': cluster(),
        'n.yaml': node,
        'a.yaml': endpoint('a', '  namespace: a.b\n'),
        'b.yaml': endpoint('b', `  namespace: ${long}\n`),
      }),
    ).toEqual([
      'a.yaml:5: metadata.namespace: must be a lowercase DNS-1123 label (a-z, 0-9 and "-" inside, no dots)',
      'b.yaml:5: metadata.namespace: Too big: expected string to have <=63 characters',
    ]);
  });

  it('rejects names with empty or hyphen-edged DNS labels', () => {
    const errors = errorsOf({
      'c.yaml': cluster(),
      'n.yaml': node,
      'a.yaml': endpoint('a..b'),
      'b.yaml': endpoint('a.-b'),
    });
    expect(errors.map((e) => e.split(': ')[0])).toEqual(['a.yaml:4', 'b.yaml:4']);
  });

  it('rejects label keys and selector keys Kubernetes would refuse, and port names outside IANA_SVC_NAME', () => {
    const errors = errorsOf({
      'c.yaml': cluster(),
      'n.yaml': node,
      'a.yaml': endpoint(
        'a',
        '  labels:\n    "app name": web\n    "```": x\n',
        '  ports:\n  - {name: "http web", containerPort: 80}\n  - {name: "HTTP", containerPort: 81}\n',
      ),
      'p.yaml': cnp(
        '  endpointSelector:\n    matchLabels:\n      "k8s:io.kubernetes.pod.namespace": prod\n      "x y": z\n  ingress:\n  - {}\n',
      ),
    });
    expect(errors.map((e) => e.split(': ').slice(0, 2).join(': '))).toEqual([
      'a.yaml:6: metadata.labels["app name"]',
      'a.yaml:7: metadata.labels["```"]',
      'a.yaml:12: spec.ports[0].name',
      'a.yaml:13: spec.ports[1].name',
      'p.yaml:9: spec.endpointSelector.matchLabels["x y"]',
    ]);
  });
});
