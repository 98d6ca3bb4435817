import { inflateSync } from 'node:zlib';

/** The first object of a fetched pack whose size is over the limit. */
export interface OversizedObject {
  /** Position of the object in the pack, from 0. */
  readonly index: number;
  readonly size: number;
}

const OFS_DELTA = 6;
const REF_DELTA = 7;

/**
 * Checks every object of the pack inside an upload-pack response against
 * `maxObjectBytes` from its header (a delta's result size from the delta's own
 * header) before anything inflates it whole; objects under the limit are
 * inflated to find where the next one starts, never more than the limit.
 * Returns the first object over the limit, or undefined.
 */
export function findOversizedObject(response: Uint8Array, maxObjectBytes: number): OversizedObject | undefined {
  const pack = packData(Buffer.from(response.buffer, response.byteOffset, response.byteLength));
  if (pack.length < 12 || pack.toString('latin1', 0, 4) !== 'PACK') return undefined;
  const count = pack.readUInt32BE(8);
  let at = 12;
  for (let index = 0; index < count; index++) {
    let byte = pack[at++]!;
    const type = (byte >> 4) & 7;
    let size = byte & 15;
    for (let shift = 4; byte & 0x80; shift += 7) {
      byte = pack[at++]!;
      size += (byte & 0x7f) * 2 ** shift;
    }
    if (type === OFS_DELTA) while (pack[at++]! & 0x80);
    else if (type === REF_DELTA) at += 20;
    if (size > maxObjectBytes) return { index, size };
    // Within the limit, so inflating it is bounded; `bytesWritten` says where its deflate stream ended.
    const { buffer, engine } = inflateSync(pack.subarray(at), {
      info: true,
      maxOutputLength: maxObjectBytes + 1,
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    if (type === OFS_DELTA || type === REF_DELTA) {
      const result = deltaResultSize(buffer);
      if (result > maxObjectBytes) return { index, size: result };
    }
    at += engine.bytesWritten;
  }
  return undefined;
}

/** A delta starts with two sizes, base then result, 7 bits a byte, least significant first. */
function deltaResultSize(delta: Buffer): number {
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0, byte = 0x80; byte & 0x80 && at < delta.length; shift += 7) {
      byte = delta[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
    }
    return value;
  };
  varint();
  return varint();
}

/** The pack bytes of an upload-pack response: pkt-lines, the pack in side band 1 (progress and ACKs skipped). */
function packData(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 4 <= body.length) {
    const head = body.toString('latin1', at, at + 4);
    // Not a pkt-line: a server without side band sends the pack raw after its ACKs.
    if (!/^[0-9a-f]{4}$/.test(head)) return body.subarray(at);
    const len = Number.parseInt(head, 16);
    if (len < 4) {
      at += 4;
      continue;
    }
    const line = body.subarray(at + 4, at + len);
    if (line[0] === 1) parts.push(line.subarray(1));
    at += len;
  }
  return Buffer.concat(parts);
}
