import { Command } from 'commander';
import { EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import { DEFAULT_REPO } from '../options.js';

interface UpOpts {
  name: string;
  repo: string;
  interval: string;
  story?: boolean;
  keep?: boolean;
  stateRoot?: string;
}

const nameOption = [
  '--name <name>',
  'the local cluster (namespaces, pins and state are named after it)',
  'local',
] as const;
const stateOption = [
  '--state-root <dir>',
  'where clusters keep their state (default: /var/lib/gitwire/clusters)',
] as const;

export function clusterCommand(): Command {
  const cmd = new Command('cluster').description(
    'a local cluster on this machine: node namespaces on an underlay bridge, git served over HTTP, etcd, an agent per node',
  );
  cmd
    .command('up')
    .description('bring the cluster up and keep it until Ctrl-C (or `gitwire cluster down`)')
    .option(...nameOption)
    .option('--repo <path>', 'a local git repository or plain directory to serve', DEFAULT_REPO)
    .option('--interval <duration>', 'how often each agent polls the served branch (pushes arrive by webhook)', '30s')
    .option('--story', 'run the Star Wars story across nodes, print a summary, then tear down')
    .option('--keep', 'with --story: keep the cluster running afterwards to explore')
    .option(...stateOption)
    .action(clusterUp);
  cmd
    .command('status')
    .description("every node's agent status, from the cluster's etcd")
    .option(...nameOption)
    .option(...stateOption)
    .action(async (opts: { name: string; stateRoot?: string }) => {
      const { readClusterState } = await import('../../reconciler/cluster/local/index.js');
      const { EtcdStatusStore, isReady } = await import('../../reconciler/agent/index.js');
      const { liveNodes } = await import('../../reconciler/cluster/node-lease.js');
      const { renderStatusTable } = await import('../../reconciler/cluster/status-table.js');
      const { Etcd3 } = await import('etcd3');
      const state = readClusterState(opts.name, opts.stateRoot);
      if (!state) throw new Error(`no local cluster named ${opts.name} runs here`);
      process.stdout.write(`cluster ${state.name}: etcd ${state.etcd}, git ${state.gitUrl}\n`);
      const store = new EtcdStatusStore([state.etcd]);
      const client = new Etcd3({ hosts: [state.etcd], dialTimeout: 5000 });
      try {
        const [statuses, alive] = [await store.list(), await liveNodes(client)];
        process.stdout.write(renderStatusTable(statuses.map((status) => ({ status, alive: alive.has(status.node) }))));
        const ready = statuses.length === state.nodes.length && statuses.every(isReady);
        process.exitCode = ready ? EXIT_OK : 1;
      } finally {
        client.close();
        await store.close();
      }
    });
  cmd
    .command('down')
    .description('stop the cluster and remove its namespaces, pins and state')
    .option(...nameOption)
    .option(...stateOption)
    .action(async (opts: { name: string; stateRoot?: string }) => {
      const { downCluster } = await import('../../reconciler/cluster/local/index.js');
      if (!(await downCluster(opts.name, opts.stateRoot)))
        throw new Error(`no local cluster named ${opts.name} runs here`);
      process.stdout.write(`cluster ${opts.name} removed\n`);
    });
  return cmd;
}

async function clusterUp(opts: UpOpts): Promise<void> {
  const { LocalCluster, runClusterStory } = await import('../../reconciler/cluster/local/index.js');
  const print = (line: string) => process.stdout.write(line + '\n');
  const cluster = await LocalCluster.up({
    name: opts.name,
    repo: opts.repo,
    interval: opts.interval,
    ...(opts.stateRoot ? { stateRoot: opts.stateRoot } : {}),
    log: print,
  });
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= cluster.down());
  const stopped = new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stop().then(resolve));
  });
  try {
    if (opts.story) {
      const passed = await runClusterStory(cluster, print);
      process.exitCode = passed ? EXIT_OK : EXIT_ERROR;
      if (!opts.keep) return;
    }
    print(
      `cluster ${opts.name} is up: gitwire cluster status --name ${opts.name}; Ctrl-C or gitwire cluster down to remove it`,
    );
    print(
      `every node's events: gitwire monitor --all-nodes --etcd ${cluster.etcdEndpoint} --observe-token-file ${cluster.observeTokenFile}`,
    );
    await stopped;
  } finally {
    await stop();
  }
}
