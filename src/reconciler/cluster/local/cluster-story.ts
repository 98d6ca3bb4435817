import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import {
  compileAll,
  readRepository,
  validateTree,
  type EndpointValue,
  type ServiceValue,
} from '../../../desired/index.js';
import { git } from './cluster-repo.js';
import type { LocalCluster } from './local-cluster.js';
import { serveName, whoAnswers } from './workload-probe.js';

/** One connection the story tries, and what the policies say should happen. */
interface Check {
  readonly step: string;
  readonly what: string;
  readonly expect: 'lands' | 'dropped';
  readonly got: string | null;
}

const CLUSTER_IP_TRIES = 6;
export const POLICY_FILE = join('policies', 'starwars', 'deathstar-l3-l4.yaml');
export const ALLIANCE_RULE = `    - fromEndpoints:
        - matchLabels:
            org: alliance
      toPorts:
        - ports:
            - port: "80"
              protocol: TCP
`;

/**
 * The README's cluster story on a running local cluster: every node converges
 * on the served commit; Star Wars connections are allowed and dropped across
 * nodes; a commit lets the alliance land and every node converges on it.
 * Returns whether every check came out as the policies say.
 */
export async function runClusterStory(cluster: LocalCluster, print: (line: string) => void): Promise<boolean> {
  const head = git(cluster.layout.workTree, 'rev-parse', 'HEAD');
  const first = await cluster.waitConverged(head);
  print(`all ${cluster.nodes.length} nodes Ready at ${head.slice(0, 12)} (${Math.max(...first.values())} ms)`);
  const world = await starWars(cluster);
  if (!world) {
    print(
      'no Star Wars endpoints (tiefighter, xwing, deathstar-1, deathstar-2) in this repository: no connections tried',
    );
    return true;
  }
  const servers: ChildProcess[] = [];
  try {
    for (const ds of [world.deathstar1, world.deathstar2]) servers.push(await serveName(ds.netns, ds.name));
    const checks: Check[] = [];
    const attempt = async (step: string, from: EndpointValue, to: string, port: number, expect: Check['expect']) => {
      checks.push({ step, what: `${from.name} → ${to}:${port}`, expect, got: await whoAnswers(from.netns, to, port) });
    };
    const across = `${world.deathstar2.name} (${world.deathstar2.address})`;
    await attempt('commit 1', world.tiefighter, world.deathstar2.address, 80, 'lands');
    await attempt('commit 1', world.xwing, world.deathstar2.address, 80, 'dropped');
    await attempt('commit 1', world.tiefighter, world.deathstar1.address, 80, 'lands');
    // Backends on both nodes: a handful of new connections to the ClusterIP should reach each of them.
    if (world.clusterIp) {
      for (let i = 0; i < CLUSTER_IP_TRIES; i++)
        await attempt('commit 1', world.tiefighter, world.clusterIp.address, 80, 'lands');
    }
    print(`tiefighter and xwing on ${world.tiefighter.node} try ${across} on ${world.deathstar2.node}`);

    const pushedAt = Date.now();
    const second = await cluster.commit('let the alliance land on the Death Star', (dir) =>
      appendFileSync(join(dir, POLICY_FILE), ALLIANCE_RULE),
    );
    const converged = await cluster.waitConverged(second);
    print(`push → webhook → all nodes Ready at ${second.slice(0, 12)}: ${Date.now() - pushedAt} ms`);
    await attempt('commit 2', world.xwing, world.deathstar2.address, 80, 'lands');
    await attempt('commit 2', world.tiefighter, world.deathstar2.address, 80, 'lands');

    print('');
    printTable(
      print,
      ['node', 'address', 'commit 1 ready (ms)', 'commit 2 ready (ms)'],
      cluster.nodes.map((n) => [n.name, n.address, String(first.get(n.name)), String(converged.get(n.name))]),
    );
    print('');
    printTable(
      print,
      ['step', 'connection', 'expected', 'answered by', 'ok'],
      checks.map((c) => [c.step, c.what, c.expect, c.got ?? '(none)', ok(c) ? 'yes' : 'NO']),
    );
    return checks.every(ok);
  } finally {
    for (const s of servers) s.kill('SIGKILL');
  }
}

const ok = (c: Check): boolean => (c.expect === 'lands' ? c.got !== null : c.got === null);

export interface StarWars {
  readonly tiefighter: EndpointValue & { readonly node: string };
  readonly xwing: EndpointValue & { readonly node: string };
  readonly deathstar1: EndpointValue & { readonly node: string };
  readonly deathstar2: EndpointValue & { readonly node: string };
  readonly clusterIp: ServiceValue | undefined;
}

/** The Star Wars endpoints of the cluster's current commit (and the deathstar ClusterIP), or null when it has none. */
export async function starWars(cluster: LocalCluster): Promise<StarWars | null> {
  const { model } = validateTree(await readRepository(cluster.layout.workTree));
  if (!model) return null;
  const endpoints = new Map<string, EndpointValue & { node: string }>();
  let clusterIp: ServiceValue | undefined;
  for (const [node, state] of compileAll(model)) {
    for (const e of state.resources.endpoint)
      endpoints.set(`${e.value.namespace}/${e.value.name}`, { ...e.value, node });
    clusterIp ??= state.resources.service.find(
      (s) => s.label === 'default/deathstar' && s.value.type === 'ClusterIP',
    )?.value;
  }
  const get = (name: string) => endpoints.get(`default/${name}`);
  const [tiefighter, xwing, deathstar1, deathstar2] = ['tiefighter', 'xwing', 'deathstar-1', 'deathstar-2'].map(get);
  if (!tiefighter || !xwing || !deathstar1 || !deathstar2) return null;
  return { tiefighter, xwing, deathstar1, deathstar2, clusterIp };
}

function printTable(print: (line: string) => void, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  print(line(head));
  print(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) print(line(r));
}
