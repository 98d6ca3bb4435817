import type { ChangeSet } from '../change-set.js';

/** The ChangeSet as stable, indented JSON: `{node, from, to, summary, byResource, changes}`. */
export function renderJson(sets: ChangeSet | readonly ChangeSet[]): string {
  return JSON.stringify(sets, null, 2) + '\n';
}
