import type { Change, ChangeSet } from '../change-set.js';
import { jsonVisible } from './escape.js';
import { nameEntry } from './name-entry.js';
import { renderContext, type RenderContext } from './render-context.js';

/**
 * The ChangeSet as stable, indented JSON: `{node, from, to, summary, byResource, changes}`,
 * each change with its keys as planned and, where its kind has one, a readable `name`;
 * characters a terminal could act on are `\u` escapes.
 */
export function renderJson(
  sets: ChangeSet | readonly ChangeSet[],
  contexts: readonly (RenderContext | undefined)[] = [],
): string {
  const named = isList(sets) ? sets.map((s, i) => withNames(s, contexts[i])) : withNames(sets, contexts[0]);
  return jsonVisible(JSON.stringify(named, null, 2)) + '\n';
}

function withNames(set: ChangeSet, ctx: RenderContext = renderContext()): ChangeSet {
  return { ...set, changes: set.changes.map((c) => named(c, ctx)) };
}

function named(c: Change, ctx: RenderContext): Change & { name?: string } {
  const name = nameEntry(c, ctx);
  if (name === undefined) return c;
  const { resource, key, ...rest } = c;
  return { resource, key, name, ...rest };
}

function isList(sets: ChangeSet | readonly ChangeSet[]): sets is readonly ChangeSet[] {
  return Array.isArray(sets);
}
