import { Command } from 'commander';
import { actor, etcdOptions, withRolloutStore, type EtcdCliOpts } from './rollout-etcd.js';

interface PinOpts extends EtcdCliOpts {
  node: string;
  rev: string;
  repo?: string;
}

export function pinCommand(): Command {
  const cmd = new Command('pin')
    .description('hold a node on one revision, whatever the branch or a rollout says, until unpinned')
    .requiredOption('--node <name>', 'the node to pin')
    .requiredOption('--rev <commit>', 'a full commit SHA, or any revision of --repo')
    .option('--repo <path|url>', 'resolve --rev in this repository');
  return etcdOptions(cmd).action(async (opts: PinOpts) => {
    const revision = await fullCommit(opts.rev, opts.repo);
    const by = actor(opts);
    await withRolloutStore(opts, (store) => store.setPin(opts.node, { ...by, revision }));
    process.stdout.write(`${opts.node} pinned to ${revision} by ${by.by}\n`);
  });
}

/** The agents compare commits: a pin names a full SHA, resolved from a branch or tag when a repository is given. */
async function fullCommit(rev: string, repo: string | undefined): Promise<string> {
  if (/^[0-9a-f]{40}$/.test(rev)) return rev;
  if (!repo)
    throw Object.assign(new Error(`--rev ${rev}: give a full commit SHA, or --repo to resolve it in`), {
      code: 'E_USAGE',
    });
  const { resolveRevision } = await import('../../desired/source/resolve-revision.js');
  return resolveRevision(repo, rev);
}
