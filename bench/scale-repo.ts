// The ~100k-entry node configuration of bench/apply.ts and bench/agent-pass.ts:
// E endpoints, one policy that lets every endpoint reach every other on P TCP
// ports (E × E × P policy entries), and one egress policy of C /32 CIDRs on
// one endpoint (C policy entries and C ipcache entries). The defaults give
// 65,000 policy + 35,052 ipcache + 50 endpoint entries: the policy map holds
// at most 65,536 entries for the whole node.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ScaleShape {
  readonly endpoints: number;
  readonly ports: number;
  readonly cidrs: number;
}

export const SCALE_100K: ScaleShape = { endpoints: 50, ports: 12, cidrs: 35_000 };

const doc = (api: string, kind: string, meta: string, spec: string) =>
  `apiVersion: ${api}\nkind: ${kind}\nmetadata:\n${meta}spec:\n${spec}`;
const gw = 'gitwire.io/v1alpha1';

/** Writes the configuration of node `node` into the directory `repo`. */
export function writeScaleRepo(repo: string, node: string, shape: ScaleShape): void {
  writeFileSync(
    join(repo, 'cluster.yaml'),
    [
      doc(gw, 'Cluster', '  name: bench\n', '  clusterCIDR: 10.0.0.0/16\n'),
      doc(gw, 'Node', `  name: ${node}\n`, '  address: 192.0.2.1\n  podCIDR: 10.0.1.0/24\n'),
    ].join('---\n'),
  );
  const eps = Array.from({ length: shape.endpoints }, (_, i) =>
    doc(
      gw,
      'Endpoint',
      `  name: ep${i}\n  namespace: default\n  labels:\n    app: app${i}\n`,
      `  node: ${node}\n  address: 10.0.1.${10 + i}\n`,
    ),
  );
  writeFileSync(join(repo, 'endpoints.yaml'), eps.join('---\n'));
  const ports = Array.from(
    { length: shape.ports },
    (_, i) => `            - port: "${1000 + i}"\n              protocol: TCP\n`,
  );
  const meshSpec = `  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - {}\n      toPorts:\n        - ports:\n${ports.join('')}`;
  const cidrs = Array.from(
    { length: shape.cidrs },
    (_, i) => `        - 100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32\n`,
  );
  const cidrSpec = `  endpointSelector:\n    matchLabels:\n      app: app0\n  egress:\n    - toCIDR:\n${cidrs.join('')}`;
  const cnp = (n: string, spec: string) =>
    doc('cilium.io/v2', 'CiliumNetworkPolicy', `  name: ${n}\n  namespace: default\n`, spec);
  writeFileSync(
    join(repo, 'policies.yaml'),
    [cnp('mesh', meshSpec), ...(shape.cidrs > 0 ? [cnp('cidrs', cidrSpec)] : [])].join('---\n'),
  );
}
