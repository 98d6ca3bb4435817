import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  CiliumClusterwideNetworkPolicy,
  CiliumNetworkPolicy,
  Icmp,
  ManifestFile,
  Peer,
  Port,
  Selector,
} from '../../src/cdk8s/index.js';
import type { Construct } from 'constructs';
import { validateTree } from '../../src/desired/load-model.js';
import { emptyRepoApp, parsedDocuments } from './synth-helpers.js';

const CORPUS = fileURLToPath(new URL('../../../shared/conformance/cilium/examples/policies/', import.meta.url));
const encoder = new TextEncoder();
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus) console.warn(`skipping the conformance round-trip: corpus not found at ${CORPUS}`);

/** Each corpus policy rebuilt with the constructs, the fluent layer where it fits and raw props where it does not. */
const REBUILT: Record<string, (scope: Construct) => void> = {
  'l3/simple/l3.yaml': (s) =>
    new CiliumNetworkPolicy(s, 'p', {
      metadata: { name: 'l3-rule' },
      spec: { endpointSelector: Selector.labels({ role: 'backend' }) },
    }).allowFrom(Peer.labels({ role: 'frontend' })),
  'l4/l4_port_range.yaml': (s) =>
    new CiliumNetworkPolicy(s, 'p', {
      metadata: { name: 'l4-port-range-rule' },
      spec: { endpointSelector: Selector.labels({ app: 'myService' }) },
    }).allowTo(Peer.any(), Port.range(80, 444)),
  'l3/cidr/cidr.yaml': (s) =>
    new CiliumNetworkPolicy(s, 'p', {
      metadata: { name: 'cidr-rule' },
      spec: { endpointSelector: Selector.labels({ app: 'myService' }) },
    })
      .allowTo(Peer.cidrs('20.1.1.1/32'))
      .allowTo(Peer.cidr('10.0.0.0/8', { except: ['10.96.0.0/12'] })),
  'l3/egress-deny/egress-deny.yaml': (s) =>
    new CiliumNetworkPolicy(s, 'p', {
      metadata: { name: 'deny-egress-example' },
      spec: { endpointSelector: Selector.labels({ role: 'frontend' }) },
    })
      .allowTo(Peer.entities('all'))
      .denyTo(Peer.labels({ role: 'backend' })),
  'l7/http/simple/l7.yaml': (s) =>
    new CiliumNetworkPolicy(s, 'p', {
      metadata: { name: 'rule1' },
      spec: {
        description: 'Allow HTTP GET /public from env=prod to app=service',
        endpointSelector: Selector.labels({ app: 'service' }),
      },
    }).allowFrom(Peer.labels({ env: 'prod' }), Port.tcp(80).withHttp({ method: 'GET', path: '/public' })),
  'l4/icmp.yaml': (s) =>
    new CiliumNetworkPolicy(s, 'p', {
      metadata: { name: 'icmp-rule' },
      spec: { endpointSelector: Selector.labels({ app: 'myService' }) },
    }).allowTo(Peer.any(), Icmp.type(8, 'IPv4'), Icmp.echoRequest('IPv6')),
  'l4/multi_rule.yaml': (s) =>
    new CiliumNetworkPolicy(s, 'p', {
      metadata: { name: 'l4-rules' },
      spec: { endpointSelector: Selector.labels({ role: 'backend' }) },
    })
      .allowFrom(Peer.labels({ role: 'frontend' }))
      .allowFrom(Peer.any(), Port.tcp(80)),
  'host/demo-host-policy.yaml': (s) =>
    new CiliumClusterwideNetworkPolicy(s, 'p', {
      metadata: { name: 'demo-host-policy' },
      spec: { description: '', nodeSelector: Selector.labels({ 'node-access': 'ssh' }) },
    })
      .allowFrom(Peer.entities('cluster'))
      .allowFrom(Peer.any(), Port.tcp(22))
      .allowFrom(Peer.any(), Icmp.echoRequest('IPv4')),
  'l3/match-expressions/or-statement.yaml': (s) =>
    new CiliumNetworkPolicy(s, 'p', {
      metadata: { name: 'or-statement-policy' },
      spec: { endpointSelector: Selector.all() },
    }).allowFrom(
      Peer.endpoints(
        Selector.in('k8s:io.kubernetes.pod.namespace', 'production'),
        Selector.in('k8s:cilium.example.com/policy', 'strict'),
      ),
    ),
  'l3/fqdn/fqdn.yaml': (s) =>
    new CiliumNetworkPolicy(s, 'p', {
      metadata: { name: 'to-fqdn' },
      spec: {
        endpointSelector: Selector.labels({ app: 'test-app' }),
        egress: [
          {
            toEndpoints: [
              Selector.labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' }),
            ],
            toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
          { toFQDNs: [{ matchName: 'my-remote-service.com' }] },
        ],
      },
    }),
};

describe.skipIf(!hasCorpus)('Cilium conformance policies rebuilt with the constructs', () => {
  for (const [path, build] of Object.entries(REBUILT)) {
    it(`synthesize ${path} to an equivalent document that validates`, () => {
      const { app, dispose } = emptyRepoApp(false);
      try {
        build(new ManifestFile(app, 'f', { file: 'policy.yaml' }));
        const expected = parseAllDocuments(readFileSync(CORPUS + path, 'utf8')).map((d) => d.toJS() as unknown);
        const { files } = app.synthFiles();
        expect(parsedDocuments(files)).toEqual(expected);
        const tree = {
          revision: null,
          ref: path,
          files: files.map((f) => ({ path: f.path, content: encoder.encode(f.text) })),
        };
        expect(validateTree(tree).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      } finally {
        dispose();
      }
    });
  }
});
