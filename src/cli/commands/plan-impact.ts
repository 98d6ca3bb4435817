import { Option, type Command } from 'commander';
import type { ClusterCompile, DesiredState } from '../../desired/index.js';
import { labelsOfKey } from '../../desired/identity/index.js';
import type { LoadedRevision } from '../../reconciler/load-revision.js';
import type { FlowRecordSource, IdentityLabels, ImpactReport } from '../../reconciler/impact/index.js';
import { readObserveToken } from '../../reconciler/agent/observe-server-token.js';
import { parseDuration } from '../../reconciler/agent/parse-duration.js';
import type { OutputFormat } from '../options.js';

export interface ImpactCliOpts {
  impact?: boolean;
  since: string;
  flowsDir: string;
  etcdEndpoints?: string;
  observeTokenFile?: string;
}

/** The flags of `plan --impact`. */
export function impactOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--impact',
        "also list each node's observed flows whose verdict the change flips (newly dropped first), from the agents' flow records",
      ).conflicts('live'),
    )
    .option('--since <duration>', 'with --impact: flows last seen this long ago or later (e.g. 24h, 90m)', '24h')
    .option(
      '--flows-dir <dir>',
      "with --impact: agents' state directories, <dir>/<node>/flows.sqlite (a local cluster: <cluster state>/nodes)",
      '/var/lib/gitwire',
    )
    .option(
      '--etcd-endpoints <urls>',
      'with --impact: read identity numbers from the cluster store the agents allocate them in, and the flows from the agents registered there (comma-separated)',
    )
    .option(
      '--observe-token-file <file>',
      "with --impact and --etcd-endpoints: the agents' observe token (default $GITWIRE_OBSERVE_TOKEN)",
    );
}

/** Puts the impact ahead of a rendered plan (a reviewer reads it first); in JSON, `{plan, impact}`. */
export type WithImpact = (plan: string) => string;

/** Each planned node's impact between the two compiled revisions, ready to head the plan in `output`. */
export async function planImpact(
  opts: ImpactCliOpts,
  nodes: readonly string[],
  sides: { from: LoadedRevision; before: ClusterCompile; to: LoadedRevision; after: ClusterCompile },
  output: OutputFormat,
): Promise<WithImpact> {
  // Loaded for --impact only: the flow store brings SQLite (sql.js) with it.
  const impact = await import('../../reconciler/impact/index.js');
  const report: ImpactReport = await impact.measureImpact({
    nodes,
    before: { revision: sides.from.revision, model: sides.from.model, states: allNodes(sides.before) },
    after: { revision: sides.to.revision, model: sides.to.model, states: allNodes(sides.after) },
    source: await flowSource(opts, impact),
    sinceSeconds: Math.ceil(parseDuration(opts.since) / 1000),
    clusterIdentities: opts.etcdEndpoints ? await clusterIdentities(opts.etcdEndpoints) : null,
  });
  if (output === 'json')
    return (plan) =>
      JSON.stringify({ plan: JSON.parse(plan), impact: impact.renderImpactJson(report) }, null, 2) + '\n';
  const head = output === 'markdown' ? impact.renderImpactMarkdown(report) : impact.renderImpactText(report);
  return (plan) => `${head}\n${plan}`;
}

/** The agents registered in the cluster store, each node without one read from --flows-dir; without a store, --flows-dir alone. */
async function flowSource(
  opts: ImpactCliOpts,
  impact: typeof import('../../reconciler/impact/index.js'),
): Promise<FlowRecordSource> {
  const local = new impact.LocalFlowStores(opts.flowsDir);
  if (!opts.etcdEndpoints) return local;
  const { Etcd3 } = await import('etcd3');
  const { agentEndpoints } = await import('../../reconciler/cluster/agent-directory.js');
  const client = new Etcd3({ hosts: opts.etcdEndpoints.split(','), dialTimeout: 5000 });
  try {
    return new impact.AgentFlowSource(await agentEndpoints(client), readObserveToken(opts.observeTokenFile), local);
  } finally {
    client.close();
  }
}

function allNodes(c: ClusterCompile): ReadonlyMap<string, DesiredState> {
  return new Map(c.nodes.map((n) => [n, c.node(n)]));
}

async function clusterIdentities(endpoints: string): Promise<IdentityLabels> {
  // etcd3 loads only when asked for.
  const { Etcd3 } = await import('etcd3');
  const { EtcdIdentityAllocator } = await import('../../reconciler/cluster/etcd-identity-allocator.js');
  const client = new Etcd3({ hosts: endpoints.split(','), dialTimeout: 5000 });
  try {
    const all = await new EtcdIdentityAllocator(client).readAll();
    return new Map([...all].map(([key, id]) => [id, labelsOfKey(key)]));
  } finally {
    client.close();
  }
}
