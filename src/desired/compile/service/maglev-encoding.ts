/**
 * A Maglev table as MaglevValue carries it: base64 of one little-endian u32
 * backend id per slot. A string is compared with one memcmp, frozen for free
 * and is the bytes the BPF map takes; a number array was none of these.
 */
export function encodeMaglevTable(ids: Uint32Array): string {
  const bytes = new Uint8Array(ids.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < ids.length; i++) view.setUint32(i * 4, ids[i]!, true);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The backend id of every slot of an encoded table. */
export function decodeMaglevTable(table: string): Uint32Array {
  const bytes = Buffer.from(table, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ids = new Uint32Array(bytes.byteLength >>> 2);
  for (let i = 0; i < ids.length; i++) ids[i] = view.getUint32(i * 4, true);
  return ids;
}
