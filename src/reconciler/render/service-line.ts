import type { BackendValue, ServiceValue } from '../../desired/desired-state.js';
import type { Change, ChangeSet } from '../change-set.js';

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;
const SHOWN = ['type', 'algorithm', 'affinityTimeout', 'mode', 'revNatIndex'] as const;

/** `address:port` of every backend the change set creates, changes or deletes, by id. */
export function backendNames(set: ChangeSet): Map<number, string> {
  const names = new Map<number, string>();
  for (const c of set.changes) {
    if (c.resource !== 'backend') continue;
    for (const b of [c.before, c.after] as (BackendValue | null)[]) if (b) names.set(b.id, `${b.address}:${b.port}`);
  }
  return names;
}

/**
 * A service change as the service reads, not as its map bytes:
 * `~ service default/deathstar 10.96.0.10:80/TCP  backends +10.0.1.7:80 -10.0.1.5:80`.
 * A backend the change set does not name (shared, unchanged) shows as `#id`.
 */
export function serviceLine(c: Change, names: ReadonlyMap<number, string>): string {
  const before = c.before as ServiceValue | null;
  const after = c.after as ServiceValue | null;
  const name = (id: number) => names.get(id) ?? `#${id}`;
  const was = new Set(before?.backendIds ?? []);
  const now = new Set(after?.backendIds ?? []);
  const delta = [
    ...[...now].filter((id) => !was.has(id)).map((id) => `+${name(id)}`),
    ...[...was].filter((id) => !now.has(id)).map((id) => `-${name(id)}`),
  ];
  const parts = [`${SYMBOL[c.action]} service ${c.label ?? '?'} ${c.key}`];
  if (delta.length > 0) parts.push(`backends ${delta.join(' ')}`);
  else if (c.action !== 'update' && was.size + now.size === 0) parts.push('no backends');
  if (c.action === 'update') {
    for (const f of SHOWN) if (before![f] !== after![f]) parts.push(`${f} ${before![f]} → ${after![f]}`);
  } else {
    const v = (after ?? before)!;
    const dsr = v.mode === 'dsr' ? ' dsr' : '';
    parts.push(`${v.type} ${v.algorithm}${v.affinityTimeout ? ` affinity ${v.affinityTimeout}s` : ''}${dsr}`);
  }
  return parts.join('  ');
}
