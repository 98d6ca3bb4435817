import { describe, expect, it } from 'vitest';
import { cnp, errorsOf, warningsOf } from '../load/tree-of.js';

const sel = '  endpointSelector: {}\n';

describe('fields gitwire parses but does not enforce', () => {
  it('warns for each unenforced field by its path, and the policy still loads', () => {
    const body =
      `${sel}  log: {value: audit}\n  egress:\n` +
      '  - toFQDNs: [{matchName: a.io}]\n' +
      '  - toServices: [{k8sService: {serviceName: s}}]\n' +
      '  - toNodes: [{}]\n' +
      '  - toCIDRSet: [{cidrGroupRef: office}]\n' +
      '  - toEndpoints: [{}]\n    authentication: {mode: required}\n' +
      '    toPorts:\n    - ports: [{port: "443", protocol: TCP}]\n      serverNames: [a.io]\n' +
      '  - toEndpoints: [{}]\n    toPorts:\n    - ports: [{port: "53", protocol: UDP}]\n      rules: {dns: [{matchName: a.io}]}\n';
    const files = { 'p.yaml': cnp(body) };
    expect(errorsOf(files)).toEqual([]);
    const paths = warningsOf(files).map((w) => w.split(': ')[2]);
    expect(paths).toEqual([
      'spec.log',
      'spec.egress[0].toFQDNs',
      'spec.egress[1].toServices',
      'spec.egress[2].toNodes',
      'spec.egress[3].toCIDRSet[0].cidrGroupRef',
      'spec.egress[4].authentication',
      'spec.egress[4].toPorts[0].serverNames',
      'spec.egress[5].toPorts[0].rules.dns',
    ]);
  });

  it('warns that L7 HTTP is enforced as L4 plus a redirect marker', () => {
    const body = `${sel}  ingress:\n  - toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      rules:\n        http: [{method: GET, path: /}]\n`;
    expect(warningsOf({ 'p.yaml': cnp(body) })).toEqual([
      'warning: p.yaml:11: spec.ingress[0].toPorts[0].rules.http: L7 HTTP rules are enforced by the HTTP proxy of the node, which runs in `gitwire agent`: after a one-shot apply these ports stay closed (fail closed) until an agent runs the node',
    ]);
  });

  it('does not warn about what the datapath enforces: selectors, CIDRs with except, entities, ports, ranges, ICMP, deny, default deny', () => {
    const body =
      `${sel}  enableDefaultDeny: {ingress: true, egress: false}\n  ingress:\n` +
      '  - fromEndpoints: [{matchExpressions: [{key: a, operator: Exists}]}]\n' +
      '  - fromCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]\n' +
      '  - fromEntities: [world]\n    toPorts:\n    - ports: [{port: "8000", endPort: 8080, protocol: TCP}]\n' +
      '  - icmps: [{fields: [{type: 8, family: IPv4}]}]\n' +
      '  ingressDeny:\n  - fromEntities: [world]\n    toPorts:\n    - ports: [{port: "22", protocol: TCP}]\n';
    const files = { 'p.yaml': cnp(body) };
    expect(errorsOf(files)).toEqual([]);
    expect(warningsOf(files)).toEqual([]);
  });
});
