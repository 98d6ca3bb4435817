import { decodeMaglevTable } from '../../desired/compile.js';
import type { ResourceKind } from '../../desired/desired-state.js';
import type { Change } from '../change-set.js';

const MAX_ARRAY = 8;

/** One value as `field=value` pairs, arrays longer than a few items and Maglev tables summarised by size. */
export function describeValue(value: object | null, resource?: ResourceKind): string {
  if (value === null) return '';
  return Object.entries(value)
    .map(
      ([k, v]) => `${k}=${isMaglevTable(resource, k, v) ? `[${decodeMaglevTable(v).length} slots]` : formatField(v)}`,
    )
    .join(' ');
}

/** The fields an update changes, as `field: before → after`. */
export function describeUpdate(change: Change): string[] {
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const lines: string[] = [];
  for (const f of fields) {
    const b = before[f];
    const a = after[f];
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    if (isMaglevTable(change.resource, f, a) && isMaglevTable(change.resource, f, b)) {
      lines.push(`${f}: ${delta(decodeMaglevTable(b), decodeMaglevTable(a), 'slots')}`);
    } else if (Array.isArray(a) && Array.isArray(b) && (a.length > MAX_ARRAY || b.length > MAX_ARRAY)) {
      lines.push(`${f}: ${delta(b, a, 'items')}`);
    } else {
      lines.push(`${f}: ${formatField(b)} → ${formatField(a)}`);
    }
  }
  return lines;
}

function isMaglevTable(resource: ResourceKind | undefined, field: string, v: unknown): v is string {
  return resource === 'maglev' && field === 'table' && typeof v === 'string';
}

function formatField(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.length > MAX_ARRAY ? `[${v.length} items]` : `[${v.map(formatField).join(',')}]`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function delta(before: ArrayLike<unknown>, after: ArrayLike<unknown>, unit: string): string {
  let changed = 0;
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) if (before[i] !== after[i]) changed++;
  return `${changed} of ${n} ${unit} changed (${before.length} → ${after.length})`;
}
