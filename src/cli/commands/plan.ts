import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { formatDiagnostic } from '../../desired/diagnostics.js';
import { compile, type Model } from '../../desired/index.js';
import type { ChangeSet } from '../../reconciler/change-set.js';
import { loadRevision, newRevisionCaches } from '../../reconciler/load-revision.js';
import { compileRevision, reconcileNode } from '../../reconciler/reconcile-node.js';
import { asObserved, emptyObserved, plan } from '../../reconciler/plan.js';
import {
  renderContext,
  renderJson,
  renderMarkdown,
  renderText,
  type RenderContext,
} from '../../reconciler/render/index.js';
import { EXIT_CHANGES, EXIT_OK } from '../exit-codes.js';
import { outputOption, repoOption, sourceOptions } from '../options.js';

interface PlanOpts {
  repo: string;
  from?: string;
  to?: string;
  node?: string;
  allNodes?: boolean;
  output: 'text' | 'json' | 'markdown';
  detailedExitcode?: boolean;
  live?: boolean;
  netns?: string;
  bpffsRoot?: string;
  planFile?: string;
}

export function planCommand(): Command {
  const cmd = new Command('plan').description(
    'show what would change on a node between two commits (or from an empty node when --from is left out)',
  );
  repoOption(cmd)
    .option('--from <rev>', 'revision the node holds now (default: an empty node)')
    .option('--to <rev>', 'revision to plan towards (default: the default branch head)')
    .addOption(new Option('--node <name>', 'plan for this node').conflicts('allNodes'))
    .option('--all-nodes', 'plan for every node the target revision declares')
    .option('--detailed-exitcode', 'exit 1 when there are changes, 0 when there are none')
    .option(
      '--plan-file <path>',
      'also write the full plan here, in the chosen format (a large Markdown report points at it)',
    )
    .addOption(new Option('--live', 'plan against the live node (needs --node) instead of --from').conflicts('from'))
    .option('--netns <name>', 'with --live: the node lives in this network namespace')
    .option('--bpffs-root <dir>', 'with --live: where the node pins its maps and links', '/sys/fs/bpf/gitwire');
  outputOption(cmd, ['text', 'json', 'markdown']).action(async (opts: PlanOpts) => {
    if (opts.live) return planLive(opts);
    const caches = newRevisionCaches();
    const from = opts.from ? await loadRevision(opts.repo, sourceOptions(opts.from), caches) : null;
    const to = await loadRevision(opts.repo, sourceOptions(opts.to), caches);
    for (const w of to.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
    const nodes = selectNodes(to.model, opts);
    const contexts: RenderContext[] = [];
    const sets: ChangeSet[] = nodes.map((node) => {
      const before = from && declares(from.model, node) ? compile(from.model, node, { cache: caches.compile }) : null;
      const desired = compile(to.model, node, { cache: caches.compile });
      contexts.push(renderContext([desired, before]));
      return plan(desired, before ? asObserved(before) : emptyObserved(node), {
        from: from ? (from.revision ?? opts.from ?? null) : null,
        to: to.revision ?? opts.to ?? null,
      });
    });
    output(sets, contexts, opts);
    const changed = sets.some((s) => s.changes.length > 0);
    process.exitCode = opts.detailedExitcode && changed ? EXIT_CHANGES : EXIT_OK;
  });
  return cmd;
}

async function planLive(opts: PlanOpts): Promise<void> {
  if (!opts.node) throw new Error('plan --live needs --node: the live node is this machine or network namespace');
  const compiled = await compileRevision(opts.repo, sourceOptions(opts.to), opts.node);
  const result = await reconcileNode({
    repo: opts.repo,
    node: opts.node,
    nodeNs: opts.netns ?? null,
    bpffsRoot: opts.bpffsRoot,
    dryRun: true,
    compiled,
  });
  for (const w of result.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  output([result.changes], [renderContext([compiled.desired])], opts);
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

/** The plan to stdout; with --plan-file, the full plan to the file (Markdown on stdout may then summarize). */
function output(sets: ChangeSet[], contexts: RenderContext[], opts: PlanOpts): void {
  if (opts.planFile) writeFileSync(opts.planFile, render(sets, contexts, opts.output, Infinity));
  process.stdout.write(render(sets, contexts, opts.output, undefined, opts.planFile));
}

function render(
  sets: ChangeSet[],
  contexts: RenderContext[],
  output: PlanOpts['output'],
  maxChars?: number,
  planFile?: string,
): string {
  if (output === 'json') return renderJson(sets.length === 1 ? (sets[0] as ChangeSet) : sets, contexts);
  if (output === 'markdown') return renderMarkdown(sets, { contexts, maxChars, planFile });
  return sets.map((s, i) => renderText(s, contexts[i])).join('\n');
}
