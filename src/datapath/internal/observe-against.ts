import type { Entry } from '../../desired/desired-state.js';
import { EncodedRows, type RowMapping, type TypedMap } from '../maps/index.js';

/** A map kind read one kernel entry per desired entry: its map, how values map onto rows, its key. */
export interface RowKind<T, K, V> {
  readonly map: TypedMap<K, V>;
  readonly rows: RowMapping<T, K, V>;
  readonly key: (value: T) => string;
  /** False where a row depends on the kernel too (lxc's ifindex): then it is encoded on every read. */
  readonly encodeOnce: boolean;
}

// The agent observes every pass against the same frozen desired lists: each
// list is encoded once, as positionsOf in the reconciler's plan indexes it once.
const encodedLists = new WeakMap<readonly Entry<unknown>[], EncodedRows>();

/** Every kernel entry of the kind, decoded. */
export function observeAll<T, K, V>(kind: RowKind<T, K, V>): Entry<T>[] {
  return kind.map.dump().map(([k, v]) => {
    const value = kind.rows.fromRow(k, v);
    return { key: kind.key(value), value };
  });
}

/**
 * What observeAll would return, read raw and compared with the desired entries'
 * bytes: a kernel entry whose key and value bytes are a desired entry's is
 * that Entry itself, others are decoded as observeAll decodes them. A node that
 * holds exactly the desired entries reads as the desired list itself, so a
 * no-op pass decodes nothing and the plan's diff is free.
 */
export function observeAgainst<T, K, V>(kind: RowKind<T, K, V>, desired: readonly Entry<T>[]): readonly Entry<T>[] {
  const { batch, rows, matched } = kind.map.match(encodedOf(kind, desired));
  if (matched === batch.count && batch.count === desired.length) return desired;
  const out = new Array<Entry<T>>(batch.count);
  for (let j = 0; j < batch.count; j++) {
    const row = rows[j]!;
    if (row >= 0) out[j] = desired[row]!;
    else {
      const value = kind.rows.fromRow(...kind.map.decodeAt(batch, j));
      out[j] = { key: kind.key(value), value };
    }
  }
  return out;
}

/** The desired entries encoded; kept per list when the list is frozen (a compiled desired state). */
function encodedOf<T, K, V>(kind: RowKind<T, K, V>, desired: readonly Entry<T>[]): EncodedRows {
  const kept = kind.encodeOnce ? encodedLists.get(desired) : undefined;
  if (kept) return kept;
  const { keyCodec, valueCodec } = kind.map;
  const encoded = new EncodedRows(keyCodec.size, valueCodec.size, desired.length, (row, keys, values) =>
    comparable(kind, desired[row]!, keys, row * keyCodec.size, values, row * valueCodec.size),
  );
  if (kind.encodeOnce && Object.isFrozen(desired)) encodedLists.set(desired, encoded);
  return encoded;
}

/**
 * Encodes the entry's row at the offsets; true if a kernel entry holding
 * these bytes reads back as this very entry (same key, same value), else
 * such an entry is always decoded.
 */
function comparable<T, K, V>(
  kind: RowKind<T, K, V>,
  entry: Entry<T>,
  keys: Buffer,
  keyAt: number,
  values: Buffer,
  valueAt: number,
): boolean {
  const { keyCodec, valueCodec } = kind.map;
  try {
    const [k, v] = kind.rows.toRow(entry.value);
    keyCodec.encodeInto(k, keys, keyAt);
    valueCodec.encodeInto(v, values, valueAt);
    const back = kind.rows.fromRow(keyCodec.decode(keys, keyAt), valueCodec.decode(values, valueAt));
    return kind.key(back) === entry.key && sameFlat(back, entry.value);
  } catch {
    // An entry the codecs refuse is never matched: the kernel entries are decoded and compared as before.
    return false;
  }
}

/** Equality of flat records (the one-entry map kinds' values); a nested object counts as different. */
function sameFlat(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  for (const k of keys) {
    const x = ra[k];
    if (!(k in rb) || x !== rb[k] || (typeof x === 'object' && x !== null)) return false;
  }
  return true;
}
