import type { Construct } from 'constructs';
import { CiliumNetworkPolicy, ManifestFile, Peer, Port, Selector } from '../../../src/cdk8s/index.js';
import { STARWARS } from './labels.js';

export function starwarsPolicies(app: Construct): void {
  const file = new ManifestFile(app, 'deathstar', {
    file: 'policies/starwars/deathstar-l3-l4.yaml',
    namespace: 'default',
    comment: 'Only Imperial ships may land on the Death Star, and only over TCP/80.',
  });
  new CiliumNetworkPolicy(file, 'rule1', {
    metadata: { name: 'rule1' },
    spec: {
      description: 'L3-L4 policy to restrict deathstar access to empire ships only',
      endpointSelector: Selector.labels(STARWARS.deathstar),
    },
  }).allowFrom(Peer.labels(STARWARS.empire), Port.tcp(80));
}
