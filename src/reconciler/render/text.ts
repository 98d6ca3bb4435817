import type { Change, ChangeSet } from '../change-set.js';
import { describeUpdate, describeValue } from './describe-value.js';
import { visible } from './escape.js';
import { nameEntry } from './name-entry.js';
import { renderContext, type RenderContext } from './render-context.js';
import { backendNames, serviceLine } from './service-line.js';

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;

/**
 * A terraform-style plan: `+`, `~`, `-` lines grouped by resource, entries
 * named through `ctx` (see renderContext). Every line is made visible, so a
 * name from the repository cannot drive the terminal.
 */
export function renderText(set: ChangeSet, ctx: RenderContext = renderContext()): string {
  const out: string[] = [`gitwire plan for node ${set.node} (${rev(set.from)} → ${rev(set.to, 'working tree')})`, ''];
  if (set.changes.length === 0) {
    out.push('No changes. The node matches the desired state.');
    return out.map(visible).join('\n') + '\n';
  }
  let current = '';
  const names = backendNames(set);
  for (const c of set.changes) {
    if (c.resource !== current) {
      current = c.resource;
      out.push(`${current}:`);
    }
    out.push(...(c.resource === 'service' ? [`  ${serviceLine(c, names)}`] : changeLines(c, ctx, '  ', '      ')));
  }
  const s = set.summary;
  out.push('', `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete.`);
  return out.map(visible).join('\n') + '\n';
}

/**
 * One change as a head line (its name, or key and label) and detail lines:
 * the changed fields of an update, the value of a create or delete unless
 * the name already says all of it (policy).
 */
export function changeLines(c: Change, ctx: RenderContext, indent: string, detailIndent: string): string[] {
  const name = nameEntry(c, ctx);
  const head = `${indent}${SYMBOL[c.action]} ${name ?? `${c.key}${c.label ? `  (${c.label})` : ''}`}`;
  if (c.action === 'update') return [head, ...describeUpdate(c).map((l) => `${detailIndent}${l}`)];
  if (c.resource === 'policy' && name) return [head];
  const detail = describeValue(c.action === 'create' ? c.after : c.before, c.resource);
  return detail ? [head, `${detailIndent}${detail}`] : [head];
}

/** A revision as people read it: a short SHA, a name, or what null stands for on that side. */
export function rev(r: string | null, ifNull = 'empty'): string {
  if (r === null) return ifNull;
  return /^[0-9a-f]{40}$/.test(r) ? r.slice(0, 12) : r;
}
