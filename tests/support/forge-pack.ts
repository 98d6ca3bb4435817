import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a local attacker plants in a git cache: a pack holding `forged` and the
 * objects under it, with an index that files the forged commit under the id
 * `claimed` (a real commit of the remote). Written into `packDir` as
 * `pack-<name>.{pack,idx}`; `work` is the repository `forged` lives in.
 */
export function plantForgedPack(work: string, forged: string, claimed: string, packDir: string): void {
  const prefix = join(work, '.git', 'forged');
  const name = execFileSync('git', ['pack-objects', '--revs', '-q', prefix], { cwd: work, input: `${forged}\n` })
    .toString()
    .trim();
  const idx = readFileSync(`${prefix}-${name}.idx`);
  const count = idx.readUInt32BE(8 + 255 * 4);
  const names = 8 + 256 * 4;
  const entries = Array.from({ length: count }, (_, i) => ({
    oid: idx.toString('hex', names + i * 20, names + i * 20 + 20),
    crc: idx.readUInt32BE(names + count * 20 + i * 4),
    offset: idx.readUInt32BE(names + count * 24 + i * 4),
  }));
  for (const e of entries) if (e.oid === forged) e.oid = claimed;
  entries.sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const fanout = Buffer.alloc(256 * 4);
  for (let b = 0; b < 256; b++) {
    fanout.writeUInt32BE(entries.filter((e) => Number.parseInt(e.oid.slice(0, 2), 16) <= b).length, b * 4);
  }
  const u32 = (n: number) => {
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(n);
    return buf;
  };
  const body = Buffer.concat([
    Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]),
    fanout,
    ...entries.map((e) => Buffer.from(e.oid, 'hex')),
    ...entries.map((e) => u32(e.crc)),
    ...entries.map((e) => u32(e.offset)),
    // The pack's own checksum, as the original index recorded it.
    idx.subarray(idx.length - 40, idx.length - 20),
  ]);
  const out = join(packDir, `pack-${name}`);
  copyFileSync(`${prefix}-${name}.pack`, `${out}.pack`);
  writeFileSync(`${out}.idx`, Buffer.concat([body, createHash('sha1').update(body).digest()]));
}
