import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whoAnswers } from '../../src/reconciler/cluster/local/index.js';
import { exampleRepoCopy } from './cluster-repo.js';

// The `echo` service the cross-node service tests put into a copy of
// examples/repo: its backends and clients are endpoints of namespace `echo`.

export interface EchoServiceOptions {
  readonly clusterIP?: string;
  readonly nodePort: number;
  readonly externalIP: string;
  readonly loadBalancerMode?: 'snat' | 'dsr';
}

export function echoServiceYaml(o: EchoServiceOptions): string {
  return `apiVersion: gitwire.io/v1alpha1
kind: Service
metadata:
  name: echo
  namespace: echo
spec:
  type: NodePort
${o.clusterIP ? `  clusterIP: ${o.clusterIP}\n` : ''}${o.loadBalancerMode ? `  loadBalancerMode: ${o.loadBalancerMode}\n` : ''}  externalIPs:
    - ${o.externalIP}
  ports:
    - port: 80
      targetPort: http
      nodePort: ${o.nodePort}
  selector:
    app: echo
`;
}

/** An endpoint of namespace `echo` on `node-<node>` (renamed with the copy's node prefix), serving port 80 as `http`. */
export function echoEndpointYaml(name: string, node: number, address: string, app = 'echo'): string {
  return `---
apiVersion: gitwire.io/v1alpha1
kind: Endpoint
metadata:
  name: ${name}
  namespace: echo
  labels:
    app: ${app}
spec:
  node: node-${node}
  address: ${address}
  ports:
    - name: http
      containerPort: 80
`;
}

/** A copy of examples/repo with the echo service and endpoints, its nodes named `<prefix>-N`. */
export function echoRepoCopy(
  prefix: string,
  service: string,
  endpoints: readonly string[],
  prepare?: (dir: string) => void,
): string {
  return exampleRepoCopy(prefix, (dir) => {
    writeFileSync(join(dir, 'services', 'echo.yaml'), service);
    writeFileSync(join(dir, 'endpoints', 'echo.yaml'), endpoints.join(''));
    prepare?.(dir);
  });
}

/** Who answered each of `n` new connections (null: none did). */
export async function answers(netns: string, address: string, port: number, n: number): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < n; i++) out.push(await whoAnswers(netns, address, port));
  return out;
}
