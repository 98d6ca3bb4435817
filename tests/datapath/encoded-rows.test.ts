import { describe, expect, it } from 'vitest';
import { EncodedRows } from '../../src/datapath/maps/index.js';

const bytes = (...xs: number[]) => Buffer.from(xs);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** Rows from whole key and value buffers; null for a row its writer refuses. */
function rowsOf(keySize: number, valueSize: number, rows: ReadonlyArray<readonly [Buffer, Buffer] | null>) {
  return new EncodedRows(keySize, valueSize, rows.length, (i, keys, values) => {
    const row = rows[i];
    if (!row) return false;
    row[0].copy(keys, i * keySize);
    row[1].copy(values, i * valueSize);
    return true;
  });
}

describe('EncodedRows', () => {
  it('finds a row by its key bytes anywhere in a packed buffer, and nothing for other bytes', () => {
    const rows = rowsOf(2, 1, [
      [bytes(1, 2), bytes(10)],
      [bytes(2, 1), bytes(20)],
    ]);
    const packed = bytes(9, 9, 2, 1, 1, 2, 1, 3);
    expect(rows.find(packed, 2)).toBe(1);
    expect(rows.find(packed, 4)).toBe(0);
    expect(rows.find(packed, 0)).toBe(-1);
    expect(rows.find(packed, 6)).toBe(-1);
  });

  it('compares a row value byte for byte', () => {
    const rows = rowsOf(1, 3, [[bytes(1), bytes(7, 8, 9)]]);
    expect(rows.sameValue(0, bytes(0, 7, 8, 9), 1)).toBe(true);
    expect(rows.sameValue(0, bytes(7, 8, 8), 0)).toBe(false);
  });

  it('never matches a row its writer refuses, or whose key bytes repeat', () => {
    const rows = rowsOf(1, 1, [null, null, [bytes(3), bytes(0)], [bytes(3), bytes(1)], [bytes(4), bytes(0)]]);
    expect(rows.count).toBe(5);
    // Rows 0 and 1 were refused: their bytes (zero) are not a key.
    expect(rows.find(bytes(0), 0)).toBe(-1);
    expect(rows.find(bytes(3), 0)).toBe(-1);
    expect(rows.find(bytes(4), 0)).toBe(4);
  });

  it('finds every one of many rows whose keys differ in one byte', () => {
    const n = 20_000;
    const rows = rowsOf(
      4,
      4,
      Array.from({ length: n }, (_, i) => [u32(i * 256), u32(i)] as const),
    );
    const packed = Buffer.concat(Array.from({ length: n }, (_, i) => u32((n - 1 - i) * 256)));
    for (let j = 0; j < n; j++) {
      const row = rows.find(packed, j * 4);
      expect(row).toBe(n - 1 - j);
      expect(rows.sameValue(row, u32(n - 1 - j), 0)).toBe(true);
    }
    expect(rows.find(u32(n * 256), 0)).toBe(-1);
  });
});
