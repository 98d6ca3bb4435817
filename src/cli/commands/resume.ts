import { Command } from 'commander';
import { EXIT_CHANGES } from '../exit-codes.js';
import { etcdOptions, withRolloutStore, type EtcdCliOpts } from './rollout-etcd.js';
import { nodeOrCluster } from './suspend.js';

export function resumeCommand(): Command {
  const cmd = new Command('resume')
    .description('lift a suspension: the node (or every node) catches up on the revision it is allowed')
    .option('--node <name>', 'the node to resume')
    .option('--all-nodes', "lift the whole cluster's suspension");
  return etcdOptions(cmd, false).action(async (opts: EtcdCliOpts & { node?: string; allNodes?: boolean }) => {
    const node = nodeOrCluster(opts);
    const lifted = await withRolloutStore(opts, (store) => store.unsuspend(node));
    process.stdout.write(lifted ? `${node ?? 'every node'} resumed\n` : `${node ?? 'the cluster'} was not suspended\n`);
    if (!lifted) process.exitCode = EXIT_CHANGES;
  });
}
