import type { MaglevValue } from '../../desired/desired-state.js';
import type { BpfMap } from '../libbpf/index.js';
import { backendIdCodec, lbMaglevKeyCodec, MAGLEV_SIZE_SLOT, type LbMaglevKey } from './lb-codec.js';
import type { StructLayout } from './internal/struct-layout.js';
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

  /**
   * Every table. The slots are read from the raw dump through the key's
   * field list, without an object per slot: a no-op pass reads every slot
   * of every table, so a slot changed behind gitwire's back still shows.
   */
  read(): MaglevValue[] {
    const { keys, values, count } = this.raw();
    const ks = this.keyCodec.size;
    const vs = this.map.valueBufferSize;
    const [index, slot] = [field(this.keyCodec, 'rev_nat_index'), field(this.keyCodec, 'slot')];
    const id = field(this.valueCodec, 'value');
    const sizes = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      if (slot.read(keys, i * ks + slot.offset) === MAGLEV_SIZE_SLOT) {
        sizes.set(index.read(keys, i * ks + index.offset), id.read(values, i * vs + id.offset));
      }
    }
    const tables = new Map<number, Buffer>();
    for (const [revNatIndex, size] of sizes) tables.set(revNatIndex, Buffer.alloc(size * 4));
    for (let i = 0; i < count; i++) {
      const t = tables.get(index.read(keys, i * ks + index.offset));
      const at = slot.read(keys, i * ks + slot.offset) * 4;
      if (t && at < t.length) t.writeUInt32LE(id.read(values, i * vs + id.offset), at);
    }
    return [...tables].map(([revNatIndex, t]) => ({
      revNatIndex,
      tableSize: t.length / 4,
      table: t.toString('base64'),
    }));
  }
}

/** A numeric field of a codec's layout: its reader at its offset. */
function field(layout: StructLayout, name: string): { readonly offset: number; read(b: Buffer, o: number): number } {
  const f = layout.fields.find((x) => x.name === name);
  if (!f) throw new Error(`${layout.cName} has no field ${name}`);
  return { offset: f.offset, read: (b, o) => f.type.read(b, o) as number };
}

function range(revNatIndex: number, from: number, to: number): LbMaglevKey[] {
  const out: LbMaglevKey[] = [];
  for (let slot = from; slot < to; slot++) out.push({ revNatIndex, slot });
  return out;
}
