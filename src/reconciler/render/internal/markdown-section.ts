import { RESOURCE_KINDS, type PolicyValue, type ResourceKind } from '../../../desired/desired-state.js';
import type { Change, ChangeSet } from '../../change-set.js';
import { fencedBlock, markdownText } from '../escape.js';
import { policyOf } from '../name-entry.js';
import type { RenderContext } from '../render-context.js';
import { backendNames, serviceLine } from '../service-line.js';
import { changeLines } from '../text.js';
import type { BoundedLines } from './bounded-lines.js';

/** How much of each kind a section shows: every entry, or the first `entries` and counts. */
export interface SectionLimit {
  readonly entries: number;
  readonly summarized: boolean;
}

/** Policies listed by name in a summarized section; the rest are counted together. */
const POLICY_ROWS = 20;

/**
 * One node's part of the report: per kind, a collapsed diff block of its
 * changes. Stops, returning false, as soon as the report is over its limit.
 */
export function nodeSection(out: BoundedLines, s: ChangeSet, ctx: RenderContext, limit: SectionLimit): boolean {
  if (!out.add('', `### ${markdownText(s.node)}`, '')) return false;
  if (s.changes.length === 0) return out.add('No changes.');
  const byKind = groupBy(s.changes, (c) => c.resource);
  if (limit.summarized && !out.add(...countTable(byKind), ...policyTable(byKind.get('policy') ?? [], ctx)))
    return false;
  if (limit.entries === 0) return true;
  const names = backendNames(s);
  for (const kind of RESOURCE_KINDS) {
    const changes = byKind.get(kind);
    if (!changes) continue;
    const shown = changes.slice(0, limit.entries);
    const lines: string[] = [];
    let size = 0;
    for (const c of shown) {
      const ls = kind === 'service' ? [markdownSign(serviceLine(c, names))] : diffLines(c, ctx);
      lines.push(...ls);
      for (const l of ls) size += l.length + 1;
      if (!out.room(size)) return false;
    }
    const more = changes.length - shown.length;
    out.add(`<details><summary><code>${kind}</code> ${counts(changes)}</summary>`, '', ...fencedBlock('diff', lines));
    if (more > 0) out.add('', `… and ${more} more ${kind} changes, in the full plan.`);
    if (!out.add('', '</details>')) return false;
  }
  return true;
}

function countTable(byKind: ReadonlyMap<ResourceKind, Change[]>): string[] {
  const rows = RESOURCE_KINDS.filter((k) => byKind.has(k)).map((k) => `| ${k} | ${counts(byKind.get(k)!, ' | ')} |`);
  return ['| kind | create | update | delete |', '|---|---:|---:|---:|', ...rows, ''];
}

/** Policy changes counted by the policy whose rule produced them, largest first. */
function policyTable(changes: readonly Change[], ctx: RenderContext): string[] {
  if (changes.length === 0) return [];
  const byPolicy = groupBy(changes, (c) => policyRow(c, ctx));
  const ranked = [...byPolicy].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const rows = ranked.slice(0, POLICY_ROWS).map(([p, cs]) => `| ${markdownText(p)} | ${counts(cs, ' | ')} |`);
  const rest = ranked.slice(POLICY_ROWS).flatMap(([, cs]) => cs);
  if (rest.length > 0) rows.push(`| ${ranked.length - POLICY_ROWS} more policies | ${counts(rest, ' | ')} |`);
  return ['| policy | create | update | delete |', '|---|---:|---:|---:|', ...rows, ''];
}

function policyRow(c: Change, ctx: RenderContext): string {
  const v = (c.after ?? c.before) as PolicyValue;
  const rule = ctx.rule(v.ruleId);
  if (rule) return `${policyOf(rule)} (${rule.file})`;
  return c.label ?? `rule ${v.ruleId}`;
}

function counts(changes: readonly Change[], sep?: string): string {
  const n = { create: 0, update: 0, delete: 0 };
  for (const c of changes) n[c.action]++;
  return sep ? [n.create, n.update, n.delete].join(sep) : `+${n.create} ~${n.update} -${n.delete}`;
}

/** A change in a diff block: `!` marks an update (diff highlighting has no `~`), details carry the sign too. */
function diffLines(c: Change, ctx: RenderContext): string[] {
  const [head, ...details] = changeLines(c, ctx, '', '');
  const sign = c.action === 'update' ? '!' : c.action === 'create' ? '+' : '-';
  return [markdownSign(head!), ...details.map((l) => `${sign}     ${l}`)];
}

function markdownSign(line: string): string {
  return line.startsWith('~') ? `!${line.slice(1)}` : line;
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}
