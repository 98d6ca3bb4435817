import type { Change, ChangeSet } from '../change-set.js';
import { describeUpdate, describeValue } from './describe-value.js';
import { backendNames, serviceLine } from './service-line.js';

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;

/** A terraform-style plan: `+`, `~`, `-` lines grouped by resource, readable names beside keys. */
export function renderText(set: ChangeSet): string {
  const out: string[] = [`gitwire plan for node ${set.node} (${rev(set.from)} → ${rev(set.to, 'working tree')})`, ''];
  if (set.changes.length === 0) {
    out.push('No changes. The node matches the desired state.');
    return out.join('\n') + '\n';
  }
  let current = '';
  const names = backendNames(set);
  for (const c of set.changes) {
    if (c.resource !== current) {
      current = c.resource;
      out.push(`${current}:`);
    }
    out.push(...(c.resource === 'service' ? [`  ${serviceLine(c, names)}`] : changeLines(c)));
  }
  const s = set.summary;
  out.push('', `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete.`);
  return out.join('\n') + '\n';
}

function changeLines(c: Change): string[] {
  const head = `  ${SYMBOL[c.action]} ${c.key}${c.label ? `  (${c.label})` : ''}`;
  if (c.action === 'update') return [head, ...describeUpdate(c).map((l) => `      ${l}`)];
  const detail = describeValue(c.action === 'create' ? c.after : c.before, c.resource);
  return detail ? [head, `      ${detail}`] : [head];
}

/** A revision as people read it: a short SHA, a name, or what null stands for on that side. */
export function rev(r: string | null, ifNull = 'empty'): string {
  if (r === null) return ifNull;
  return /^[0-9a-f]{40}$/.test(r) ? r.slice(0, 12) : r;
}
