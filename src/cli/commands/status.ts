import { Command, Option } from 'commander';
// The status modules one by one, not the agent's index: that one brings the datapath (koffi) and etcd3.
import { FileStatusStore } from '../../reconciler/agent/file-status-store.js';
import { isReady, type NodeStatus } from '../../reconciler/agent/node-status.js';
import { renderStatusJson, renderStatusText } from '../../reconciler/agent/render-status.js';
import { defaultStateDir } from '../../reconciler/agent/status-store.js';
import { renderStatusTable } from '../../reconciler/cluster/status-table.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import { outputOption } from '../options.js';

interface StatusOpts {
  node?: string;
  allNodes?: boolean;
  stateDir?: string;
  etcdEndpoints?: string;
  output: 'text' | 'json';
}

export function statusCommand(): Command {
  const cmd = new Command('status')
    .description("print a node agent's status; exit 0 when Ready, 1 when not, 2 when there is none to read")
    .addOption(new Option('--node <name>', 'the node to report').conflicts('allNodes'))
    .option('--all-nodes', 'every node that reported to etcd (needs --etcd-endpoints)')
    .option('--state-dir <dir>', "the node's state directory (default: /var/lib/gitwire/<node>)")
    .option('--etcd-endpoints <urls>', 'read from etcd instead of the state file (comma-separated URLs)');
  return outputOption(cmd).action(async (opts: StatusOpts) => {
    const statuses = await readStatuses(opts);
    if (statuses.length === 0) {
      process.stderr.write(`gitwire: no status found${opts.node ? ` for node ${opts.node}` : ''}\n`);
      process.exitCode = EXIT_ERROR;
      return;
    }
    if (opts.allNodes) {
      const { parseEndpoints } = await import('../../reconciler/agent/etcd-status-store.js');
      const alive = await liveNodesIn(parseEndpoints(opts.etcdEndpoints!));
      const rows = statuses.map((status) => ({ status, alive: alive.has(status.node) }));
      const json = rows.map(({ status, alive }) => ({ ...status, agentAlive: alive }));
      process.stdout.write(opts.output === 'json' ? renderStatusJson(json) : renderStatusTable(rows));
    } else if (opts.output === 'json') process.stdout.write(renderStatusJson(statuses[0]!));
    else process.stdout.write(renderStatusText(statuses));
    process.exitCode = statuses.every(isReady) ? EXIT_OK : EXIT_CHANGES;
  });
}

async function readStatuses(opts: StatusOpts): Promise<NodeStatus[]> {
  if (!opts.node && !opts.allNodes) throw new StatusUsageError('give --node NAME or --all-nodes');
  if (opts.etcdEndpoints) {
    const { EtcdStatusStore, parseEndpoints } = await import('../../reconciler/agent/etcd-status-store.js');
    const store = new EtcdStatusStore(parseEndpoints(opts.etcdEndpoints));
    try {
      if (opts.allNodes) return await store.list();
      const one = await store.read(opts.node!);
      return one ? [one] : [];
    } finally {
      await store.close();
    }
  }
  if (opts.allNodes) throw new StatusUsageError('--all-nodes needs --etcd-endpoints: a state file holds one node');
  const one = await new FileStatusStore(opts.stateDir ?? defaultStateDir(opts.node!)).read(opts.node!);
  return one ? [one] : [];
}

async function liveNodesIn(endpoints: string[]): Promise<Set<string>> {
  const { Etcd3 } = await import('etcd3');
  const { liveNodes } = await import('../../reconciler/cluster/node-lease.js');
  const client = new Etcd3({ hosts: endpoints, dialTimeout: 5000 });
  try {
    return await liveNodes(client);
  } finally {
    client.close();
  }
}

class StatusUsageError extends Error {
  readonly code = 'E_USAGE';
}
