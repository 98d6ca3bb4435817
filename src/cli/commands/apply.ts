import { Command } from 'commander';
import { formatDiagnostic } from '../../desired/diagnostics.js';
import { parseDuration } from '../../reconciler/agent/parse-duration.js';
import { busyText, DEFAULT_LOCK_TIMEOUT_MS, NodeLock } from '../../reconciler/node-lock.js';
import { compileRevision, reconcileNode } from '../../reconciler/reconcile-node.js';
import { renderContext, renderJson, renderMarkdown, renderText } from '../../reconciler/render/index.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import { requireNetns } from '../netns-option.js';
import { outputOption, repoOption, sourceOptions, type GitCliOptions } from '../options.js';

interface ApplyOpts extends GitCliOptions {
  repo: string;
  rev?: string;
  node: string;
  dryRun?: boolean;
  netns?: string;
  bpffsRoot?: string;
  output: 'text' | 'json' | 'markdown';
  detailedExitcode?: boolean;
  lockTimeout: string;
}

export function applyCommand(): Command {
  const cmd = new Command('apply').description(
    'converge this node (the current network namespace) to a commit: observe the kernel, plan, write the difference',
  );
  repoOption(cmd)
    .option('--rev <rev>', 'branch, tag or commit to apply (default: the default branch head)')
    .requiredOption('--node <name>', 'the node this machine (or network namespace) is')
    .option('--dry-run', 'plan against the live node and write nothing')
    .option('--netns <name>', 'drive a node that lives in this network namespace instead of the current one')
    .option('--bpffs-root <dir>', 'where the node pins its maps and links', '/sys/fs/bpf/gitwire')
    .option('--detailed-exitcode', 'with --dry-run: exit 1 when the node differs from the commit')
    .option(
      '--lock-timeout <duration>',
      'how long to wait while another apply holds the node (0: not at all); an agent holding it fails at once',
      `${DEFAULT_LOCK_TIMEOUT_MS / 1000}s`,
    );
  outputOption(cmd, ['text', 'json', 'markdown']).action(async (opts: ApplyOpts) => {
    requireNetns(cmd, opts.netns);
    const compiled = await compileRevision(opts.repo, sourceOptions(opts.rev, opts), opts.node);
    const ctx = renderContext([compiled.desired]);
    const timeoutMs = /^0(ms|s|m|h)?$/.test(opts.lockTimeout) ? 0 : parseDuration(opts.lockTimeout);
    // A dry run writes nothing, so it needs no lock.
    const lock = opts.dryRun
      ? null
      : await NodeLock.acquire(opts.node, 'apply', {
          timeoutMs,
          onWait: (holder) =>
            process.stderr.write(`gitwire: ${busyText(opts.node, holder)}; waiting up to ${opts.lockTimeout}\n`),
        });
    const result = await reconcileNode({
      repo: opts.repo,
      compiled,
      node: opts.node,
      nodeNs: opts.netns ?? null,
      bpffsRoot: opts.bpffsRoot,
      dryRun: opts.dryRun ?? false,
    }).finally(() => lock?.release());
    for (const w of result.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
    const set = result.changes;
    if (opts.output === 'json') {
      process.stdout.write(
        renderJson({ ...set, writes: result.writes, remaining: result.remaining?.changes ?? [] } as never, [ctx]),
      );
    } else if (opts.output === 'markdown') {
      process.stdout.write(renderMarkdown([set], { contexts: [ctx] }));
    } else {
      process.stdout.write(renderText(set, ctx));
      if (!opts.dryRun && set.changes.length > 0)
        process.stdout.write(`Applied with ${result.writes} kernel writes.\n`);
    }
    if (result.remaining && result.remaining.changes.length > 0) {
      process.stderr.write(`gitwire: node did not converge; still differing:\n${renderText(result.remaining, ctx)}`);
      process.exitCode = EXIT_ERROR;
      return;
    }
    const pending = opts.dryRun && set.changes.length > 0;
    process.exitCode = pending && opts.detailedExitcode ? EXIT_CHANGES : EXIT_OK;
  });
  return cmd;
}
