import type { MaglevValue } from '../../desired/desired-state.js';
import type { BpfMap } from '../libbpf/index.js';
import { backendIdCodec, lbMaglevKeyCodec, MAGLEV_SIZE_SLOT, type LbMaglevKey } from './lb-codec.js';
import { TypedMap } from './typed-map.js';

/**
 * Maglev lookup tables, one map entry per (reverse-NAT index, slot) and the
 * table's size under MAGLEV_SIZE_SLOT: tables of any size share one map.
 * A table is written slots first and size last; a shrunk table's slots past
 * the new size are removed after.
 */
export class MaglevMap extends TypedMap<LbMaglevKey, number> {
  constructor(map: BpfMap) {
    super(map, lbMaglevKeyCodec, backendIdCodec);
  }

  write(values: readonly MaglevValue[]): void {
    for (const v of values) {
      const ids = Buffer.from(v.table, 'base64');
      const before = this.get({ revNatIndex: v.revNatIndex, slot: MAGLEV_SIZE_SLOT }) ?? 0;
      const rows: Array<[LbMaglevKey, number]> = [];
      for (let slot = 0; slot < v.tableSize; slot++) {
        rows.push([{ revNatIndex: v.revNatIndex, slot }, ids.readUInt32LE(slot * 4)]);
      }
      this.putMany(rows);
      this.put({ revNatIndex: v.revNatIndex, slot: MAGLEV_SIZE_SLOT }, v.tableSize);
      this.removeMany(range(v.revNatIndex, v.tableSize, before));
    }
  }

  /** Removes tables: the size first, so the datapath stops reading a table before its slots go. */
  erase(values: readonly Pick<MaglevValue, 'revNatIndex' | 'tableSize'>[]): void {
    for (const v of values) {
      const size = Math.max(this.get({ revNatIndex: v.revNatIndex, slot: MAGLEV_SIZE_SLOT }) ?? 0, v.tableSize);
      this.remove({ revNatIndex: v.revNatIndex, slot: MAGLEV_SIZE_SLOT });
      this.removeMany(range(v.revNatIndex, 0, size));
    }
  }

  read(): MaglevValue[] {
    const sizes = new Map<number, number>();
    const tables = new Map<number, Buffer>();
    const rows = this.dump();
    for (const [k, id] of rows) if (k.slot === MAGLEV_SIZE_SLOT) sizes.set(k.revNatIndex, id);
    for (const [index, size] of sizes) tables.set(index, Buffer.alloc(size * 4));
    for (const [k, id] of rows) {
      const t = tables.get(k.revNatIndex);
      if (t && k.slot * 4 < t.length) t.writeUInt32LE(id, k.slot * 4);
    }
    return [...tables].map(([revNatIndex, t]) => ({
      revNatIndex,
      tableSize: t.length / 4,
      table: t.toString('base64'),
    }));
  }
}

function range(revNatIndex: number, from: number, to: number): LbMaglevKey[] {
  const out: LbMaglevKey[] = [];
  for (let slot = from; slot < to; slot++) out.push({ revNatIndex, slot });
  return out;
}
