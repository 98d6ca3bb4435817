import { RESOURCE_KINDS } from '../../desired/desired-state.js';
import type { Change, ChangeSet } from '../change-set.js';
import { describeUpdate, describeValue } from './describe-value.js';
import { backendNames, serviceLine } from './service-line.js';
import { rev } from './text.js';

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;

/** A plan fit for a pull-request comment: a summary table, then a diff block per resource. */
export function renderMarkdown(sets: readonly ChangeSet[]): string {
  const out: string[] = ['## gitwire plan', ''];
  out.push('| node | from | to | create | update | delete |', '|---|---|---|---:|---:|---:|');
  for (const s of sets) {
    out.push(
      `| ${s.node} | \`${rev(s.from)}\` | \`${rev(s.to, 'working tree')}\` | ${s.summary.create} | ${s.summary.update} | ${s.summary.delete} |`,
    );
  }
  for (const s of sets) {
    out.push('', `### ${s.node}`, '');
    if (s.changes.length === 0) {
      out.push('No changes.');
      continue;
    }
    for (const kind of RESOURCE_KINDS) {
      const changes = s.changes.filter((c) => c.resource === kind);
      if (changes.length === 0) continue;
      const n = s.byResource[kind];
      const counts = n ? `+${n.create} ~${n.update} -${n.delete}` : '';
      out.push(`<details><summary><code>${kind}</code> ${counts}</summary>`, '', '```diff');
      const names = backendNames(s);
      for (const c of changes) out.push(...(kind === 'service' ? [markdownSign(serviceLine(c, names))] : diffLines(c)));
      out.push('```', '', '</details>');
    }
  }
  return out.join('\n') + '\n';
}

function diffLines(c: Change): string[] {
  const head = `${SYMBOL[c.action] === '~' ? '!' : SYMBOL[c.action]} ${c.key}${c.label ? `  (${c.label})` : ''}`;
  if (c.action === 'update') return [head, ...describeUpdate(c).map((l) => `!     ${l}`)];
  const sign = SYMBOL[c.action];
  return [head, `${sign}     ${describeValue(c.action === 'create' ? c.after : c.before, c.resource)}`];
}

/** A diff block marks changed lines with `!`, not `~`. */
function markdownSign(line: string): string {
  return line.startsWith('~') ? `!${line.slice(1)}` : line;
}
