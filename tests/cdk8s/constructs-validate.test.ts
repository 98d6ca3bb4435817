import { describe, expect, it } from 'vitest';
import { validateTree } from '../../src/desired/load-model.js';
import {
  CiliumClusterwideNetworkPolicy,
  CiliumNetworkPolicy,
  Cluster,
  Endpoint,
  Icmp,
  ManifestFile,
  Node,
  Peer,
  PolicyRule,
  Port,
  Selector,
  Service,
} from '../../src/cdk8s/index.js';
import { emptyRepoApp, parsedDocuments } from './synth-helpers.js';

describe('constructs', () => {
  it('synthesize a whole configuration that gitwire validate accepts', () => {
    const { app, dispose } = emptyRepoApp();
    try {
      const infra = new ManifestFile(app, 'infra', { file: 'infra.yaml' });
      new Cluster(infra, 'cluster', { metadata: { name: 'lab' }, spec: { clusterCIDR: '10.1.0.0/16' } });
      new Node(infra, 'n1', { metadata: { name: 'n1' }, spec: { address: '192.168.7.1', podCIDR: '10.1.1.0/24' } });
      new Node(infra, 'n2', { metadata: { name: 'n2' }, spec: { address: '192.168.7.2', podCIDR: '10.1.2.0/24' } });
      const apps = new ManifestFile(app, 'apps', { file: 'apps/web.yaml', namespace: 'web' });
      new Endpoint(apps, 'web', {
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: { node: 'n1', ports: [{ name: 'http', containerPort: 8080 }] },
      });
      new Endpoint(apps, 'db', { metadata: { name: 'db', labels: { app: 'db' } }, spec: { node: 'n2' } });
      new Service(apps, 'svc', {
        metadata: { name: 'web' },
        spec: { clusterIP: '10.96.0.80', ports: [{ port: 80, targetPort: 'http' }], selector: { app: 'web' } },
      });
      new CiliumNetworkPolicy(apps, 'web-policy', {
        metadata: { name: 'web' },
        spec: { endpointSelector: Selector.labels({ app: 'web' }) },
      })
        .allowFrom(Peer.entities('world'), Port.tcp(8080).withHttp({ method: 'GET', path: '/.*' }))
        .allowTo(Peer.labels({ app: 'db' }), Port.tcp(5432))
        .denyTo(Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/16'] }));
      new CiliumNetworkPolicy(apps, 'db-policy', {
        metadata: { name: 'db' },
        specs: [
          PolicyRule.selecting(Selector.labels({ app: 'db' })).allowFrom(
            Peer.labels({ app: 'web' }),
            Port.range(5432, 5433),
          ),
          PolicyRule.selecting(Selector.labels({ app: 'db' })).denyFrom(Peer.any(), Icmp.echoRequest('IPv4')),
        ],
      });
      new CiliumClusterwideNetworkPolicy(infra, 'ssh', {
        metadata: { name: 'host-ssh' },
        spec: { nodeSelector: Selector.exists('kubernetes.io/hostname') },
      }).allowFrom(Peer.entities('cluster'), Port.tcp(22));

      const { files } = app.synthFiles();
      const encoder = new TextEncoder();
      const tree = {
        revision: null,
        ref: 'test',
        files: files.map((f) => ({ path: f.path, content: encoder.encode(f.text) })),
      };
      const { model, diagnostics } = validateTree(tree);
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(model?.cluster?.name).toBe('lab');
      expect(model?.nodes.map((n) => n.name)).toEqual(['n1', 'n2']);
      expect(model?.endpoints.map((e) => e.name).sort()).toEqual(['db', 'web']);
      expect(model?.services.map((s) => s.name)).toEqual(['web']);
      expect(model?.policies.map((p) => `${p.kind}/${p.name}`).sort()).toEqual([
        'CiliumClusterwideNetworkPolicy/host-ssh',
        'CiliumNetworkPolicy/db',
        'CiliumNetworkPolicy/web',
      ]);
    } finally {
      dispose();
    }
  });

  it('write the fluent rules exactly as a person would, with defaults left implicit', () => {
    const { app, dispose } = emptyRepoApp(false);
    try {
      const file = new ManifestFile(app, 'f', { file: 'p.yaml', namespace: 'shop' });
      new CiliumNetworkPolicy(file, 'p', {
        metadata: { name: 'p' },
        spec: { endpointSelector: Selector.labels({ app: 'a' }) },
      })
        .allowFrom(
          Peer.labels({ app: 'b' }),
          Port.udp(53),
          Port.tcp(53),
          Port.tcp(80).withHttp({ method: 'GET', path: '/x' }),
        )
        .denyTo(Peer.cidrs('169.254.169.254/32'));
      new Endpoint(file, 'e', { metadata: { name: 'e' }, spec: { node: 'n1' } });
      const docs = parsedDocuments(app.synthFiles().files);
      expect(docs).toEqual([
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumNetworkPolicy',
          metadata: { name: 'p', namespace: 'shop' },
          spec: {
            endpointSelector: { matchLabels: { app: 'a' } },
            ingress: [
              {
                fromEndpoints: [{ matchLabels: { app: 'b' } }],
                toPorts: [
                  {
                    ports: [
                      { port: '53', protocol: 'UDP' },
                      { port: '53', protocol: 'TCP' },
                    ],
                  },
                  { ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/x' }] } },
                ],
              },
            ],
            egressDeny: [{ toCIDR: ['169.254.169.254/32'] }],
          },
        },
        {
          apiVersion: 'gitwire.io/v1alpha1',
          kind: 'Endpoint',
          metadata: { name: 'e', namespace: 'shop' },
          spec: { node: 'n1' },
        },
      ]);
    } finally {
      dispose();
    }
  });
});
