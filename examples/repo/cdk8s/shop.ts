import type { Construct } from 'constructs';
import { CiliumNetworkPolicy, Icmp, ManifestFile, Peer, PolicyRule, Port, Selector } from '../../../src/cdk8s/index.js';
import { SHOP } from './labels.js';

const NAMESPACE = 'shop';

/** One file per policy, all in the shop's namespace. */
function policyFile(app: Construct, name: string, comment: string): ManifestFile {
  return new ManifestFile(app, `shop-${name}`, { file: `policies/shop/${name}.yaml`, namespace: NAMESPACE, comment });
}

export function shopPolicies(app: Construct): void {
  const api = policyFile(
    app,
    'api',
    'Frontends call the cart (read-only HTTP API); the cart calls payments over a port range.',
  );
  new CiliumNetworkPolicy(api, 'api', {
    metadata: { name: 'api' },
    specs: [
      PolicyRule.selecting(Selector.labels(SHOP.cart)).allowFrom(
        Peer.labels(SHOP.frontend),
        Port.tcp(9090).withHttp({ method: 'GET', path: '/api/.*' }),
      ),
      PolicyRule.selecting(Selector.labels(SHOP.payments)).allowFrom(Peer.labels(SHOP.cart), Port.range(9090, 9099)),
    ],
  });

  const database = policyFile(
    app,
    'database',
    'Only API pods reach the database; nothing in the database tier may call out,\n' +
      'and nobody may reach it over ICMP except pings from the cart.',
  );
  new CiliumNetworkPolicy(database, 'database', {
    metadata: { name: 'database' },
    spec: { endpointSelector: Selector.labels(SHOP.database) },
  })
    .allowFrom(Peer.endpoints(Selector.in('tier', 'api')), Port.tcp(5432))
    .allowFrom(Peer.labels(SHOP.cart), Icmp.echoRequest())
    .allowTo(Peer.entities('host'));

  const deny = policyFile(
    app,
    'egress-deny',
    'No workload in the shop may reach the cloud metadata service, whatever else allows it.',
  );
  new CiliumNetworkPolicy(deny, 'deny-metadata', {
    metadata: { name: 'deny-metadata' },
    spec: { endpointSelector: Selector.all() },
  }).denyTo(Peer.cidrs('169.254.169.254/32'));

  const frontend = policyFile(
    app,
    'frontend',
    "The shop's frontends take HTTP from outside the cluster and health checks from the node.",
  );
  new CiliumNetworkPolicy(frontend, 'frontend-ingress', {
    metadata: { name: 'frontend-ingress' },
    spec: { endpointSelector: Selector.labels(SHOP.frontend) },
  }).allowFrom(Peer.entities('world', 'host'), Port.tcp('http'));

  const cidr = policyFile(
    app,
    'myservice-cidr',
    "The seed's CIDR example: myService may call 20.1.1.1 and 10/8 except the service range.",
  );
  new CiliumNetworkPolicy(cidr, 'cidr-rule', {
    metadata: { name: 'cidr-rule' },
    spec: { endpointSelector: Selector.labels(SHOP.myService) },
  })
    .allowTo(Peer.cidrs('20.1.1.1/32'))
    .allowTo(Peer.cidr('10.0.0.0/8', { except: ['10.96.0.0/12'] }));
}
