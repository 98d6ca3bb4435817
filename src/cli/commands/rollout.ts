import { Command } from 'commander';
import { renderRolloutJson, renderRolloutText } from '../../reconciler/rollout/render-rollout.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import { outputOption } from '../options.js';
import { actor, etcdOptions, withRolloutStore, type EtcdCliOpts } from './rollout-etcd.js';

export function rolloutCommand(): Command {
  const cmd = new Command('rollout').description(
    "show and steer the staged rollout of the newest commit across the nodes, as the Cluster's rollout declares it",
  );
  cmd.addCommand(
    outputOption(
      etcdOptions(
        new Command('status').description(
          'the rollout: revision, phase, wave and each node; exit 0 when completed, 1 when under way, halted or aborted',
        ),
        false,
      ),
    ).action(async (opts: EtcdCliOpts & { output: 'text' | 'json' }) => {
      const view = await withRolloutStore(opts, async (store) => ({
        state: await store.state(),
        paused: await store.paused(),
      }));
      process.stdout.write(opts.output === 'json' ? renderRolloutJson(view) : renderRolloutText(view));
      process.exitCode = !view.state ? EXIT_ERROR : view.state.phase === 'Completed' ? EXIT_OK : EXIT_CHANGES;
    }),
  );
  cmd.addCommand(
    etcdOptions(new Command('pause').description('give no further node the new revision until resumed')).action(
      async (opts: EtcdCliOpts) => {
        const by = actor(opts);
        await withRolloutStore(opts, (store) => store.pause(by));
        process.stdout.write(`rollout paused by ${by.by}\n`);
      },
    ),
  );
  cmd.addCommand(
    etcdOptions(new Command('resume').description('let a paused rollout go on'), false).action(
      async (opts: EtcdCliOpts) => {
        await withRolloutStore(opts, (store) => store.resume());
        process.stdout.write('rollout resumed\n');
      },
    ),
  );
  cmd.addCommand(
    etcdOptions(
      new Command('abort').description(
        'call off the rollout under way: nodes that have the new revision go back to the previous one',
      ),
    ).action(async (opts: EtcdCliOpts) => {
      const by = actor(opts);
      await withRolloutStore(opts, (store) => store.requestAbort(by));
      process.stdout.write(`abort requested by ${by.by}; the coordinator rolls the wave back\n`);
    }),
  );
  // main() sets these on the top-level commands only; a usage error here then exits 2 like theirs.
  for (const sub of cmd.commands) sub.showHelpAfterError().exitOverride();
  return cmd;
}
