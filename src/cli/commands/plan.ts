import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { formatDiagnostic } from '../../desired/diagnostics.js';
import { changedKinds, compileCluster, RESOURCE_KINDS, type Model } from '../../desired/index.js';
import type { ChangeSet } from '../../reconciler/change-set.js';
import { groupPlans, nodeRanges } from '../../reconciler/group-plans.js';
import { loadRevisions, newRevisionCaches, type LoadedRevision } from '../../reconciler/load-revision.js';
import { asObserved, emptyObserved, plan } from '../../reconciler/plan.js';
import { renderWavesMarkdown } from '../../reconciler/rollout/render-waves-markdown.js';
import { rolloutPlan } from '../../reconciler/rollout/rollout-waves.js';
import {
  PR_COMMENT_LIMIT,
  renderContext,
  renderJson,
  renderMarkdown,
  renderText,
  type RenderContext,
} from '../../reconciler/render/index.js';
import { EXIT_CHANGES, EXIT_OK } from '../exit-codes.js';
import { requireNetns } from '../netns-option.js';
import { impactOptions, planImpact, type ImpactCliOpts, type WithImpact } from './plan-impact.js';
import { outputOption, repoOption, sourceOptions, type GitCliOptions } from '../options.js';

interface PlanOpts extends GitCliOptions, ImpactCliOpts {
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
  planFile?: string;
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
    .option(
      '--plan-file <path>',
      'also write the full plan here, in the chosen format (a large Markdown report points at it)',
    )
    .addOption(new Option('--live', 'plan against the live node (needs --node) instead of --from').conflicts('from'))
    .option('--netns <name>', 'with --live: the node lives in this network namespace')
    .option('--bpffs-root <dir>', 'with --live: where the node pins its maps and links', '/sys/fs/bpf/gitwire');
  impactOptions(cmd);
  outputOption(cmd, ['text', 'json', 'markdown']).action(async (opts: PlanOpts) => {
    opts.to ??= opts.rev;
    if (opts.live) {
      requireNetns(cmd, opts.netns);
      return planLive(opts);
    }
    if (opts.impact && !opts.from) throw new Error('plan --impact needs --from: the revision the nodes run now');
    const caches = newRevisionCaches();
    const sources = [...(opts.from ? [sourceOptions(opts.from, opts)] : []), sourceOptions(opts.to, opts)];
    const loaded = await loadRevisions(opts.repo, sources, caches);
    const to = loaded.at(-1) as LoadedRevision;
    const from = loaded.length > 1 ? (loaded[0] as LoadedRevision) : null;
    for (const w of to.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
    const nodes = selectNodes(to.model, opts);
    // Each side compiled once for the whole cluster (the `from` side first, so `to` reuses what did not
    // change); a node's states live only while its plan is made.
    // Kinds compiled from the very same declarations on both sides cannot change: they are left out.
    const kinds = from ? changedKinds(from.model, to.model) : RESOURCE_KINDS;
    const before = from ? compileCluster(from.model, { cache: caches.compile, kinds }) : null;
    const after = compileCluster(to.model, { cache: caches.compile, kinds });
    const contexts = new Map<string, RenderContext>();
    const sets: ChangeSet[] = nodes.map((node) => {
      const held = before && before.nodes.includes(node) ? before.node(node) : null;
      const desired = after.node(node);
      contexts.set(node, renderContext([desired, held]));
      return plan(desired, held ? asObserved(held) : emptyObserved(node), {
        kinds,
        from: from ? (from.revision ?? opts.from ?? null) : null,
        to: to.revision ?? opts.to ?? null,
      });
    });
    const impact =
      opts.impact && from && before ? await planImpact(opts, nodes, { from, before, to, after }, opts.output) : null;
    output(sets, contexts, opts, impact);
    // A pull request's plan also says which nodes get the commit in which wave.
    const rollout = rolloutPlan(to.model.cluster?.spec.rollout, to.model.nodes);
    if (rollout && opts.output === 'markdown') process.stdout.write(`\n${renderWavesMarkdown(rollout)}`);
    const changed = sets.some((s) => s.changes.length > 0);
    process.exitCode = opts.detailedExitcode && changed ? EXIT_CHANGES : EXIT_OK;
  });
  return cmd;
}

async function planLive(opts: PlanOpts): Promise<void> {
  if (!opts.node) throw new Error('plan --live needs --node: the live node is this machine or network namespace');
  // The kernel side (libbpf through koffi) loads only for a live plan.
  const { compileRevision, reconcileNode } = await import('../../reconciler/reconcile-node.js');
  const compiled = await compileRevision(opts.repo, sourceOptions(opts.to, opts), opts.node);
  const result = await reconcileNode({
    repo: opts.repo,
    node: opts.node,
    nodeNs: opts.netns ?? null,
    bpffsRoot: opts.bpffsRoot,
    dryRun: true,
    compiled,
  });
  for (const w of result.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  output([result.changes], new Map([[opts.node, renderContext([compiled.desired])]]), opts);
  const changed = result.changes.changes.length > 0;
  process.exitCode = opts.detailedExitcode && changed ? EXIT_CHANGES : EXIT_OK;
}

function selectNodes(model: Model, opts: PlanOpts): string[] {
  if (opts.node) return [opts.node];
  if (opts.allNodes || model.nodes.length > 0) return model.nodes.map((n) => n.name);
  return [];
}

/** The plan to stdout; with --plan-file, the full plan to the file (Markdown on stdout may then summarize). */
function output(
  sets: ChangeSet[],
  contexts: ReadonlyMap<string, RenderContext>,
  opts: PlanOpts,
  impact: WithImpact | null = null,
): void {
  const full = impact ?? ((plan: string) => plan);
  // The impact at the head of a Markdown comment takes its room from the plan's share.
  const room = impact && opts.output === 'markdown' ? PR_COMMENT_LIMIT - full('').length : undefined;
  if (opts.planFile) writeFileSync(opts.planFile, full(render(sets, contexts, opts.output, Infinity)));
  process.stdout.write(full(render(sets, contexts, opts.output, room, opts.planFile)));
}

/** Nodes with the same plan as an earlier one are named once under it ("node-2 … node-40: same as node-1"). */
function render(
  sets: ChangeSet[],
  contexts: ReadonlyMap<string, RenderContext>,
  output: PlanOpts['output'],
  maxChars?: number,
  planFile?: string,
): string {
  const ctx = (s: ChangeSet) => contexts.get(s.node) ?? renderContext();
  const groups = groupPlans(sets);
  const sameAs = (g: (typeof groups)[number]) => `${nodeRanges(g.same)}: same as ${g.plan.node}`;
  const grouped = groups.filter((g) => g.same.length > 0);
  if (output === 'json') {
    if (sets.length === 1) return renderJson(sets[0] as ChangeSet, [ctx(sets[0] as ChangeSet)]);
    const of = new Map(groups.flatMap((g) => g.same.map((n) => [n, g.plan.node])));
    return renderJson(
      sets.map((s) => (of.has(s.node) ? { ...s, sameAs: of.get(s.node) } : s)),
      sets.map(ctx),
    );
  }
  if (output === 'markdown') {
    const plans = groups.map((g) => g.plan);
    const md = renderMarkdown(plans, { contexts: plans.map(ctx), maxChars, planFile });
    return grouped.length === 0 ? md : `${md}\n### Same plan\n\n${grouped.map((g) => `- ${sameAs(g)}`).join('\n')}\n`;
  }
  return groups.map((g) => renderText(g.plan, ctx(g.plan)) + (g.same.length > 0 ? `\n${sameAs(g)}\n` : '')).join('\n');
}
