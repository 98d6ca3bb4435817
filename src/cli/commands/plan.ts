import { Command, Option } from 'commander';
import { formatDiagnostic } from '../../desired/diagnostics.js';
import { compile, type Model } from '../../desired/index.js';
import type { ChangeSet } from '../../reconciler/change-set.js';
import { loadRevision, newRevisionCaches } from '../../reconciler/load-revision.js';
import { reconcileNode } from '../../reconciler/reconcile-node.js';
import { asObserved, emptyObserved, plan } from '../../reconciler/plan.js';
import { renderJson, renderMarkdown, renderText } from '../../reconciler/render/index.js';
import { EXIT_CHANGES, EXIT_OK } from '../exit-codes.js';
import { requireNetns } from '../netns-option.js';
import { outputOption, repoOption, sourceOptions } from '../options.js';

interface PlanOpts {
  repo: string;
  from?: string;
  to?: string;
  rev?: string;
  node?: string;
  allNodes?: boolean;
  output: 'text' | 'json' | 'markdown';
  detailedExitcode?: boolean;
  live?: boolean;
  netns?: string;
  bpffsRoot?: string;
}

export function planCommand(): Command {
  const cmd = new Command('plan').description(
    'show what would change on a node between two commits (or from an empty node when --from is left out)',
  );
  repoOption(cmd)
    .option('--from <rev>', 'revision the node holds now (default: an empty node)')
    .addOption(new Option('--to <rev>', 'revision to plan towards (default: the default branch head)').conflicts('rev'))
    .option('--rev <rev>', 'the same as --to, as apply and validate spell it')
    .addOption(new Option('--node <name>', 'plan for this node').conflicts('allNodes'))
    .option('--all-nodes', 'plan for every node the target revision declares')
    .option('--detailed-exitcode', 'exit 1 when there are changes, 0 when there are none')
    .addOption(new Option('--live', 'plan against the live node (needs --node) instead of --from').conflicts('from'))
    .option('--netns <name>', 'with --live: the node lives in this network namespace')
    .option('--bpffs-root <dir>', 'with --live: where the node pins its maps and links', '/sys/fs/bpf/gitwire');
  outputOption(cmd, ['text', 'json', 'markdown']).action(async (opts: PlanOpts) => {
    opts.to ??= opts.rev;
    if (opts.live) {
      requireNetns(cmd, opts.netns);
      return planLive(opts);
    }
    const caches = newRevisionCaches();
    const from = opts.from ? await loadRevision(opts.repo, sourceOptions(opts.from), caches) : null;
    const to = await loadRevision(opts.repo, sourceOptions(opts.to), caches);
    for (const w of to.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
    const nodes = selectNodes(to.model, opts);
    const sets: ChangeSet[] = nodes.map((node) => {
      const before = from && declares(from.model, node) ? compile(from.model, node, { cache: caches.compile }) : null;
      const desired = compile(to.model, node, { cache: caches.compile });
      return plan(desired, before ? asObserved(before) : emptyObserved(node), {
        from: from ? (from.revision ?? opts.from ?? null) : null,
        to: to.revision ?? opts.to ?? null,
      });
    });
    process.stdout.write(render(sets, opts.output));
    const changed = sets.some((s) => s.changes.length > 0);
    process.exitCode = opts.detailedExitcode && changed ? EXIT_CHANGES : EXIT_OK;
  });
  return cmd;
}

async function planLive(opts: PlanOpts): Promise<void> {
  if (!opts.node) throw new Error('plan --live needs --node: the live node is this machine or network namespace');
  const result = await reconcileNode({
    repo: opts.repo,
    source: sourceOptions(opts.to),
    node: opts.node,
    nodeNs: opts.netns ?? null,
    bpffsRoot: opts.bpffsRoot,
    dryRun: true,
  });
  for (const w of result.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  process.stdout.write(render([result.changes], opts.output));
  const changed = result.changes.changes.length > 0;
  process.exitCode = opts.detailedExitcode && changed ? EXIT_CHANGES : EXIT_OK;
}

function selectNodes(model: Model, opts: PlanOpts): string[] {
  if (opts.node) return [opts.node];
  if (opts.allNodes || model.nodes.length > 0) return model.nodes.map((n) => n.name);
  return [];
}

function declares(model: Model, node: string): boolean {
  return model.nodes.some((n) => n.name === node);
}

function render(sets: ChangeSet[], output: PlanOpts['output']): string {
  if (output === 'json') return renderJson(sets.length === 1 ? (sets[0] as ChangeSet) : sets);
  if (output === 'markdown') return renderMarkdown(sets);
  return sets.map(renderText).join('\n');
}
