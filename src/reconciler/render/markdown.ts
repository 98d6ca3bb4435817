import type { ChangeSet } from '../change-set.js';
import { markdownCode, markdownText } from './escape.js';
import { BoundedLines } from './internal/bounded-lines.js';
import { nodeSection, type SectionLimit } from './internal/markdown-section.js';
import { renderContext, type RenderContext } from './render-context.js';
import { rev } from './text.js';

/** GitHub refuses a pull-request comment longer than this. */
export const PR_COMMENT_LIMIT = 65_536;

/** Entries shown per kind when the whole plan does not fit, from most to fewest. */
const SUMMARY_STEPS: readonly number[] = [200, 50, 20, 5, 0];

export interface MarkdownOptions {
  /** Names for each set's entries, index for index (see renderContext). */
  readonly contexts?: readonly (RenderContext | undefined)[];
  /** Longest report to produce; Infinity renders every entry. */
  readonly maxChars?: number;
  /** Where the full plan was written, named when the report is summarized. */
  readonly planFile?: string;
}

/**
 * A plan fit for a pull-request comment: a summary table, then a diff block
 * per node and resource. A plan that does not fit in `maxChars` is summarized:
 * counts per kind and per policy, and the first entries of each kind.
 */
export function renderMarkdown(sets: readonly ChangeSet[], opts: MarkdownOptions = {}): string {
  const max = opts.maxChars ?? PR_COMMENT_LIMIT;
  const full = render(sets, opts, { entries: Infinity, summarized: false }, max);
  if (!full.over) return full.text();
  for (const entries of SUMMARY_STEPS) {
    const summary = render(sets, opts, { entries, summarized: true }, max);
    if (!summary.over) return summary.text();
  }
  return cut(render(sets, opts, { entries: 0, summarized: true }, max).text(), max, opts.planFile);
}

/** The report, or as much of it as shows that it is longer than `max`. */
function render(sets: readonly ChangeSet[], opts: MarkdownOptions, limit: SectionLimit, max: number): BoundedLines {
  const out = new BoundedLines(max);
  out.add('## gitwire plan', '');
  if (limit.summarized) out.add(summarizedNote(opts.planFile), '');
  out.add('| node | from | to | create | update | delete |', '|---|---|---|---:|---:|---:|');
  for (const s of sets) {
    const from = markdownCode(rev(s.from));
    const to = markdownCode(rev(s.to, 'working tree'));
    const n = s.summary;
    if (!out.add(`| ${markdownText(s.node)} | ${from} | ${to} | ${n.create} | ${n.update} | ${n.delete} |`)) return out;
  }
  sets.every((s, i) => nodeSection(out, s, opts.contexts?.[i] ?? renderContext(), limit));
  return out;
}

function summarizedNote(planFile: string | undefined): string {
  const where = planFile
    ? `the full plan is in ${markdownCode(planFile)}`
    : 'run `gitwire plan --plan-file PATH` for the full plan';
  return `> This plan is too large for one comment: it shows counts and the first entries of each kind; ${where}.`;
}

/** Last resort for very many nodes: whole lines up to the limit (no block is open in a count-only report). */
function cut(report: string, max: number, planFile: string | undefined): string {
  const where = planFile ? `the full plan is in ${markdownCode(planFile)}` : 'see the full plan';
  const tail = `\n… cut at ${max} characters; ${where}.\n`;
  const room = report.lastIndexOf('\n', max - tail.length);
  return report.slice(0, Math.max(0, room)) + tail;
}
