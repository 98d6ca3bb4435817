/**
 * How a kind's entries fit in its map during a change: `fits` when old and
 * new fit together (new are written before stale ones go, so traffic never
 * meets a half-written state), `delete-first` when only the commit's own
 * entries fit (stale ones must go first, a brief gap), `overflow` when even
 * they do not (nothing may be written). Decided here and nowhere else.
 */
export type MapFit = 'fits' | 'delete-first' | 'overflow';

export function mapFit(need: number, stale: number, capacity: number): MapFit {
  if (need > capacity) return 'overflow';
  return need + stale > capacity ? 'delete-first' : 'fits';
}
