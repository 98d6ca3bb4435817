import { Command } from 'commander';
import { EXIT_CHANGES } from '../exit-codes.js';
import { etcdOptions, withRolloutStore, type EtcdCliOpts } from './rollout-etcd.js';

export function unpinCommand(): Command {
  const cmd = new Command('unpin')
    .description('release a pinned node: it follows the branch (or its rollout) again')
    .requiredOption('--node <name>', 'the node to release');
  return etcdOptions(cmd, false).action(async (opts: EtcdCliOpts & { node: string }) => {
    const released = await withRolloutStore(opts, (store) => store.unpin(opts.node));
    process.stdout.write(released ? `${opts.node} unpinned\n` : `${opts.node} was not pinned\n`);
    if (!released) process.exitCode = EXIT_CHANGES;
  });
}
