import type { Construct } from 'constructs';
import { CiliumClusterwideNetworkPolicy, ManifestFile, Peer, Port, Selector } from '../../../src/cdk8s/index.js';
import { KUBE_DNS } from './labels.js';

export function kubeSystemPolicies(app: Construct): void {
  const file = new ManifestFile(app, 'kube-dns', {
    file: 'policies/kube-system/kube-dns.yaml',
    comment: 'Every workload in the cluster may query DNS.',
  });
  new CiliumClusterwideNetworkPolicy(file, 'ingress', {
    metadata: { name: 'kube-dns-ingress' },
    spec: { endpointSelector: Selector.labels(KUBE_DNS) },
  }).allowFrom(Peer.entities('cluster'), Port.udp(53), Port.tcp(53));
}
