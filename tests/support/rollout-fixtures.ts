import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCluster } from '../../src/reconciler/cluster/local/index.js';
import type { RolloutState, RolloutStore } from '../../src/reconciler/rollout/index.js';

// What the health-check and rollout tests on the local cluster share.

/** Probes from node 1 of examples/repo: the tiefighter lands on deathstar-1, the xwing is kept out. */
export const STARWARS_HEALTH_CHECKS = `apiVersion: gitwire.io/v1alpha1
kind: HealthCheck
metadata:
  name: tiefighter-lands
spec:
  from: {endpoint: default/tiefighter}
  to: {endpoint: default/deathstar-1}
  probe: tcp
  port: 80
---
apiVersion: gitwire.io/v1alpha1
kind: HealthCheck
metadata:
  name: xwing-kept-out
spec:
  from: {endpoint: default/xwing}
  to: {endpoint: default/deathstar-1}
  probe: tcp
  port: 80
  expect: deny
  deadline: 1s
`;

/** The line of the rule that lets the Empire land (the endpoint selector above it says `org: empire` too). */
export const EMPIRE_PEER = '            org: empire\n';

/** The rollout state once `done` holds; on a timeout, the error carries the end of every agent's log (the coordinator is one of them). */
export async function waitRollout(
  store: RolloutStore,
  cluster: LocalCluster,
  done: (s: RolloutState) => boolean,
  timeoutMs: number,
): Promise<RolloutState> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await store.state().catch(() => null);
    if (s && done(s)) return s;
    if (Date.now() > end) {
      const logs = cluster.nodes.map((n) => {
        const text = readFileSync(join(cluster.layout.nodeDir(n.name), 'agent.log'), 'utf8');
        return `--- ${n.name}\n${text.split('\n').slice(-15).join('\n')}`;
      });
      throw new Error(`rollout not there in time: ${JSON.stringify(s)}\n${logs.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
