import { Command } from 'commander';
import { actor, etcdOptions, withRolloutStore, type EtcdCliOpts } from './rollout-etcd.js';

interface SuspendOpts extends EtcdCliOpts {
  node?: string;
  allNodes?: boolean;
  driftRepair: boolean;
}

/** `--node NAME` or `--all-nodes`: the node the command acts on, or null for the whole cluster. */
export function nodeOrCluster(opts: { node?: string; allNodes?: boolean }): string | null {
  if ((opts.node === undefined) === (opts.allNodes === undefined))
    throw Object.assign(new Error('give --node NAME or --all-nodes'), { code: 'E_USAGE' });
  return opts.node ?? null;
}

export function suspendCommand(): Command {
  const cmd = new Command('suspend')
    .description('stop a node (or every node) moving to new revisions; drift repair towards its revision goes on')
    .option('--node <name>', 'the node to suspend')
    .option('--all-nodes', 'suspend the whole cluster')
    .option('--no-drift-repair', 'do not repair drift either: leave the node as it is');
  return etcdOptions(cmd).action(async (opts: SuspendOpts) => {
    const node = nodeOrCluster(opts);
    const by = actor(opts);
    await withRolloutStore(opts, (store) => store.suspend(node, by, opts.driftRepair));
    process.stdout.write(`${node ?? 'every node'} suspended by ${by.by} at ${by.at}\n`);
  });
}
