import { describe, expect, it } from 'vitest';
import { cnp, errorsOf, warningsOf } from '../load/tree-of.js';

// cnp() puts `spec:` on line 5, so the first line of the body is line 6.
const sel = '  endpointSelector:\n    matchLabels: {app: web}\n';
const ingress = (rule: string) => `${sel}  ingress:\n${rule}`;
const egress = (rule: string) => `${sel}  egress:\n${rule}`;

describe('Cilium policy rules', () => {
  it('rejects a rule with neither endpointSelector nor nodeSelector', () => {
    expect(errorsOf({ 'p.yaml': cnp('  ingress:\n  - {}\n') })).toEqual([
      'p.yaml:5: spec: a rule needs endpointSelector (or nodeSelector in a clusterwide policy); endpointSelector: {} selects every endpoint',
    ]);
  });

  it('rejects a rule with both endpointSelector and nodeSelector', () => {
    const body = `${sel}  nodeSelector: {}\n  ingress:\n  - {}\n`;
    expect(errorsOf({ 'p.yaml': cnp(body).replace('CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy') })).toEqual([
      'p.yaml:8: spec.nodeSelector: endpointSelector and nodeSelector are mutually exclusive',
    ]);
  });

  it('rejects nodeSelector in a namespaced CiliumNetworkPolicy, as Cilium does', () => {
    expect(errorsOf({ 'p.yaml': cnp('  nodeSelector: {}\n  ingress:\n  - {}\n') })).toEqual([
      'p.yaml:6: spec.nodeSelector: nodeSelector (a host policy) is allowed only in a CiliumClusterwideNetworkPolicy; Cilium rejects it here',
    ]);
  });

  it('rejects a rule without any non-empty direction', () => {
    expect(errorsOf({ 'p.yaml': cnp(`${sel}  ingress: []\n`) })).toEqual([
      expect.stringMatching(
        /^p\.yaml:5: spec: a rule needs at least one non-empty ingress, ingressDeny, egress or egressDeny/,
      ),
    ]);
  });

  it('rejects a policy with neither spec nor specs', () => {
    const doc = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n';
    expect(errorsOf({ 'p.yaml': doc })).toEqual(['p.yaml:1: spec or specs must be provided']);
  });

  it('checks each entry of specs at its own path', () => {
    const doc =
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\nspecs:\n' +
      `- endpointSelector: {}\n  ingress:\n  - {}\n` +
      `- endpointSelector: {}\n  egress:\n  - toCIDR: [10.0.0.0/33]\n`;
    expect(errorsOf({ 'p.yaml': doc })).toEqual([
      'p.yaml:11: specs[1].egress[0].toCIDR[0]: "10.0.0.0/33" is not a CIDR (address/prefix-length, e.g. 10.0.0.0/8 or fd00::/64)',
    ]);
  });

  it('rejects an except that lies outside its cidr, and accepts one inside', () => {
    const rule =
      '  - toCIDRSet:\n    - cidr: 10.0.0.0/8\n      except:\n      - 10.96.0.0/12\n      - 192.168.0.0/16\n';
    expect(errorsOf({ 'p.yaml': cnp(egress(rule)) })).toEqual([
      'p.yaml:13: spec.egress[0].toCIDRSet[0].except[1]: except 192.168.0.0/16 does not lie inside cidr 10.0.0.0/8',
    ]);
  });

  it('rejects an IPv6 except inside an IPv4 cidr and a malformed IPv6 cidr', () => {
    const rule = '  - toCIDRSet:\n    - cidr: 10.0.0.0/8\n      except: ["fd00::/64"]\n  - toCIDR: ["fd00:::1/64"]\n';
    expect(errorsOf({ 'p.yaml': cnp(egress(rule)) })).toEqual([
      'p.yaml:11: spec.egress[0].toCIDRSet[0].except[0]: except fd00::/64 does not lie inside cidr 10.0.0.0/8',
      'p.yaml:12: spec.egress[1].toCIDR[0]: "fd00:::1/64" is not a CIDR (address/prefix-length, e.g. 10.0.0.0/8 or fd00::/64)',
    ]);
  });

  it('rejects a CIDRSet entry that sets both cidr and cidrGroupRef', () => {
    const rule = '  - toCIDRSet:\n    - cidr: 10.0.0.0/8\n      cidrGroupRef: office\n';
    expect(errorsOf({ 'p.yaml': cnp(egress(rule)) })).toEqual([
      'p.yaml:10: spec.egress[0].toCIDRSet[0]: needs exactly one of cidr, cidrGroupRef or cidrGroupSelector (found 2)',
    ]);
  });

  it('rejects a port above 65535 and a malformed port name, and accepts a named port', () => {
    const rule =
      '  - toPorts:\n    - ports:\n      - port: "65536"\n      - port: "-http"\n      - port: http-alt\n        protocol: TCP\n';
    expect(errorsOf({ 'web.yaml': cnp(ingress(rule)) })).toEqual([
      expect.stringMatching(
        /^web\.yaml:11: spec\.ingress\[0\]\.toPorts\[0\]\.ports\[0\]\.port: "65536" is neither a port number 0-65535 nor a port name/,
      ),
      expect.stringMatching(/^web\.yaml:12: spec\.ingress\[0\]\.toPorts\[0\]\.ports\[1\]\.port: "-http" is neither/),
    ]);
  });

  it('rejects a port of the wrong type through the schema, at the exact node', () => {
    const rule = '  - toPorts:\n    - ports:\n      - port: true\n';
    expect(errorsOf({ 'p.yaml': cnp(ingress(rule)) })).toEqual([
      'p.yaml:11: spec.ingress[0].toPorts[0].ports[0].port: must be a port number or a port name',
    ]);
  });

  it('rejects endPort below port and endPort on a named port', () => {
    const rule =
      '  - toPorts:\n    - ports:\n      - port: "8080"\n        endPort: 80\n      - port: http\n        endPort: 90\n';
    expect(errorsOf({ 'p.yaml': cnp(ingress(rule)) })).toEqual([
      'p.yaml:12: spec.ingress[0].toPorts[0].ports[0].endPort: endPort 80 is below port 8080',
      'p.yaml:14: spec.ingress[0].toPorts[0].ports[1].endPort: endPort needs a numeric port, not a port name',
    ]);
  });

  it('rejects a port on a protocol that has none, and a missing port on TCP', () => {
    const rule =
      '  - toPorts:\n    - ports:\n      - port: "112"\n        protocol: VRRP\n      - protocol: TCP\n      - protocol: GRE\n';
    expect(errorsOf({ 'p.yaml': cnp(egress(rule)) })).toEqual([
      'p.yaml:11: spec.egress[0].toPorts[0].ports[0].port: protocol VRRP has no ports; leave port empty or 0',
      'p.yaml:13: spec.egress[0].toPorts[0].ports[1]: port is required for protocol TCP ("0" means every port)',
    ]);
  });

  it('rejects more than 40 ports in one PortRule', () => {
    const ports = Array.from({ length: 41 }, (_, i) => `      - port: "${1000 + i}"\n`).join('');
    expect(errorsOf({ 'p.yaml': cnp(ingress(`  - toPorts:\n    - ports:\n${ports}`)) })).toEqual([
      'p.yaml:10: spec.ingress[0].toPorts[0].ports: 41 ports; Cilium allows at most 40 per toPorts entry',
    ]);
  });

  it('rejects icmps and toPorts in the same rule', () => {
    const rule = '  - icmps:\n    - fields:\n      - type: 8\n    toPorts:\n    - ports:\n      - port: "80"\n';
    expect(errorsOf({ 'p.yaml': cnp(egress(rule)) })).toEqual([
      'p.yaml:12: spec.egress[0].toPorts: icmps and toPorts cannot be in the same rule (Cilium rejects it); define a separate rule for ICMP',
    ]);
  });

  it('rejects an ICMP type that is neither 0-255 nor a known name', () => {
    const rule = '  - icmps:\n    - fields:\n      - type: 256\n      - type: EchoRequest\n      - type: Ping\n';
    expect(errorsOf({ 'p.yaml': cnp(egress(rule)) })).toEqual([
      'p.yaml:11: spec.egress[0].icmps[0].fields[0].type: "256" is not an ICMP type (0-255 or a name such as EchoRequest)',
      'p.yaml:13: spec.egress[0].icmps[0].fields[2].type: "Ping" is not an ICMP type (0-255 or a name such as EchoRequest)',
    ]);
  });

  it('rejects L7 HTTP rules on UDP and on an unset protocol, but allows DNS rules on UDP and ANY', () => {
    const rule =
      '  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: UDP\n      - port: "81"\n      rules:\n        http: [{method: GET}]\n' +
      '  - toPorts:\n    - ports:\n      - port: "53"\n        protocol: UDP\n      - port: "53"\n        protocol: ANY\n      rules:\n        dns: [{matchPattern: "*"}]\n';
    expect(errorsOf({ 'p.yaml': cnp(egress(rule)) })).toEqual([
      'p.yaml:12: spec.egress[0].toPorts[0].ports[0].protocol: L7 rules apply only to TCP (protocol is UDP); only DNS rules also take UDP or ANY',
      'p.yaml:13: spec.egress[0].toPorts[0].ports[1]: L7 rules apply only to TCP (protocol is unset, i.e. ANY); only DNS rules also take UDP or ANY',
    ]);
  });

  it('rejects DNS rules on ingress and two L7 protocols in one rule', () => {
    const rule =
      '  - toPorts:\n    - ports:\n      - port: "53"\n        protocol: TCP\n      rules:\n        dns: [{matchName: a.io}]\n        http: [{}]\n';
    expect(errorsOf({ 'p.yaml': cnp(ingress(rule)) })).toEqual([
      'p.yaml:13: spec.ingress[0].toPorts[0].rules: one L7 protocol per rule; found http, dns',
      'p.yaml:14: spec.ingress[0].toPorts[0].rules.dns: DNS rules are not allowed on ingress',
    ]);
  });

  it('rejects L7 rules in a deny rule, which takes only ports', () => {
    const rule =
      '  ingressDeny:\n  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: TCP\n      rules:\n        http: [{}]\n';
    expect(errorsOf({ 'p.yaml': cnp(`${sel}${rule}`) })).toEqual([
      'p.yaml:13: spec.ingressDeny[0].toPorts[0].rules: deny rules take only ports; rules is not allowed here',
    ]);
  });

  it('rejects In without values and Exists with values in matchExpressions', () => {
    const body =
      '  endpointSelector:\n    matchExpressions:\n    - {key: env, operator: In}\n    - key: tier\n      operator: Exists\n      values: [a]\n  ingress:\n  - {}\n';
    expect(errorsOf({ 'p.yaml': cnp(body) })).toEqual([
      'p.yaml:8: spec.endpointSelector.matchExpressions[0].values: operator In needs at least one value',
      'p.yaml:11: spec.endpointSelector.matchExpressions[1].values: operator Exists takes no values',
    ]);
  });

  it('rejects combining two peer selectors in one rule, as Cilium does', () => {
    const rule = '  - fromEndpoints: [{}]\n    fromCIDR: [10.0.0.0/8]\n';
    expect(errorsOf({ 'p.yaml': cnp(ingress(rule)) })).toEqual([
      'p.yaml:10: spec.ingress[0].fromCIDR: fromEndpoints and fromCIDR cannot be combined in one rule (Cilium rejects it); write a separate rule for each',
    ]);
  });

  it('rejects fromRequires with the reason from the CRD', () => {
    const rule = '  - fromRequires:\n    - matchLabels: {env: prod}\n';
    expect(errorsOf({ 'p.yaml': cnp(ingress(rule)) })).toEqual([
      expect.stringMatching(
        /^p\.yaml:9: spec\.ingress\[0\]\.fromRequires: fromRequires is deprecated and refused: Cilium's CRD declares it with maxItems: 0/,
      ),
    ]);
  });

  it('rejects the old auth field with the name of its replacement', () => {
    const rule = '  - toEndpoints: [{}]\n    auth:\n      type: "null"\n';
    expect(errorsOf({ 'auth/auth.yaml': cnp(egress(rule)) })).toEqual([
      expect.stringMatching(
        /^auth\/auth\.yaml:10: spec\.egress\[0\]\.auth: unknown field "auth": .*authentication: \{mode/,
      ),
    ]);
  });

  it('rejects unknown fields at the key that is unknown', () => {
    expect(errorsOf({ 'p.yaml': cnp(ingress('  - fromEndpoint: [{}]\n')) })).toEqual([
      'p.yaml:9: spec.ingress[0].fromEndpoint: unknown field "fromEndpoint"',
    ]);
  });

  it('rejects an invalid label value in matchLabels', () => {
    expect(
      errorsOf({ 'p.yaml': cnp('  endpointSelector:\n    matchLabels: {app: "-web"}\n  ingress:\n  - {}\n') }),
    ).toEqual([
      'p.yaml:7: spec.endpointSelector.matchLabels.app: must be a label value: alphanumerics with "-", "_" or "." inside',
    ]);
  });

  it('reports a missing required field at its parent', () => {
    const rule = '  - icmps:\n    - fields:\n      - family: IPv4\n';
    expect(errorsOf({ 'p.yaml': cnp(egress(rule)) })).toEqual([
      'p.yaml:11: spec.egress[0].icmps[0].fields[0].type: required field is missing',
    ]);
  });

  it('checks rules that pass the schema even when another part of the document does not', () => {
    const doc =
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\nbogus: 1\n' +
      'specs:\n- endpointSelector: {}\n  egress:\n  - toCIDR: [300.0.0.0/8]\n';
    expect(errorsOf({ 'p.yaml': doc })).toEqual([
      'p.yaml:5: bogus: unknown field "bogus"',
      'p.yaml:9: specs[0].egress[0].toCIDR[0]: "300.0.0.0/8" is not a CIDR (address/prefix-length, e.g. 10.0.0.0/8 or fd00::/64)',
    ]);
  });

  it('warns, not fails, on a namespace given to a clusterwide policy', () => {
    const doc = cnp(`${sel}  ingress:\n  - {}\n`)
      .replace('CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy')
      .replace('  name: p\n', '  name: p\n  namespace: prod\n');
    expect(errorsOf({ 'p.yaml': doc })).toEqual([]);
    expect(warningsOf({ 'p.yaml': doc })).toEqual([
      'warning: p.yaml:5: metadata.namespace: CiliumClusterwideNetworkPolicy is cluster-scoped; the namespace is ignored, as Kubernetes does',
    ]);
  });

  it('rejects a policy kind under the wrong apiVersion instead of ignoring it', () => {
    expect(
      errorsOf({ 'p.yaml': cnp(`${sel}  ingress:\n  - {}\n`).replace('cilium.io/v2', 'cilium.io/v2alpha1') }),
    ).toEqual([
      'p.yaml:1: apiVersion: CiliumNetworkPolicy is served only as apiVersion cilium.io/v2, not cilium.io/v2alpha1',
    ]);
  });
});
