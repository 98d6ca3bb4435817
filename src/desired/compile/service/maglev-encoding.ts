/** On a little-endian host a Uint32Array already holds the bytes the encoding wants. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * A Maglev table as MaglevValue carries it: base64 of one little-endian u32
 * backend id per slot. A string is compared with one memcmp, frozen for free
 * and is the bytes the BPF map takes; a number array was none of these.
 */
export function encodeMaglevTable(ids: Uint32Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength).toString('base64');
  const bytes = Buffer.alloc(ids.length * 4);
  for (let i = 0; i < ids.length; i++) bytes.writeUInt32LE(ids[i]!, i * 4);
  return bytes.toString('base64');
}

/** The backend id of every slot of an encoded table. */
export function decodeMaglevTable(table: string): Uint32Array {
  const bytes = Buffer.from(table, 'base64');
  const ids = new Uint32Array(bytes.byteLength >>> 2);
  for (let i = 0; i < ids.length; i++) ids[i] = bytes.readUInt32LE(i * 4);
  return ids;
}
