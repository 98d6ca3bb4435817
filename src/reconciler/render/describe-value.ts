import type { Change } from '../change-set.js';

const MAX_ARRAY = 8;

/** One value as `field=value` pairs, arrays longer than a few items summarised by size. */
export function describeValue(value: object | null): string {
  if (value === null) return '';
  return Object.entries(value)
    .map(([k, v]) => `${k}=${formatField(v)}`)
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
    if (Array.isArray(a) && Array.isArray(b) && (a.length > MAX_ARRAY || b.length > MAX_ARRAY)) {
      lines.push(`${f}: ${arrayDelta(b, a)}`);
    } else {
      lines.push(`${f}: ${formatField(b)} → ${formatField(a)}`);
    }
  }
  return lines;
}

function formatField(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.length > MAX_ARRAY ? `[${v.length} items]` : `[${v.map(formatField).join(',')}]`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function arrayDelta(before: unknown[], after: unknown[]): string {
  let changed = 0;
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) if (before[i] !== after[i]) changed++;
  return `${changed} of ${n} items changed (${before.length} → ${after.length})`;
}
