// Map throughput through gitwire's libbpf binding, side by side in the same
// run with bench/c/map-bench.c making the same libbpf calls from C.
// Usage: npx tsx bench/libbpf-maps.ts [entries=100000] [rounds=5]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfMap } from '../src/datapath/libbpf/index.js';

const KEY_SIZE = 16;
const VALUE_SIZE = 8;
const CHUNK = 4096;
const n = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);
const OPS = ['batchUpdate', 'batchDump', 'batchDelete', 'update', 'lookup', 'delete'] as const;
type Op = (typeof OPS)[number];
type Result = Record<Op, number>;

function buildC(): string {
  const src = fileURLToPath(new URL('./c/map-bench.c', import.meta.url));
  const bin = path.join(os.tmpdir(), `gw-map-bench-${process.pid}`);
  execFileSync('cc', ['-O2', '-Wall', '-o', bin, src, '-lbpf']);
  return bin;
}

const perEntry = (t0: bigint) => Number(process.hrtime.bigint() - t0) / n;

function runTs(): Result {
  const keys = Buffer.alloc(n * KEY_SIZE);
  const values = Buffer.alloc(n * VALUE_SIZE);
  for (let i = 0; i < n; i++) {
    keys.writeUInt32LE(i, i * KEY_SIZE);
    values.writeUInt32LE(i, i * VALUE_SIZE);
  }
  const map = BpfMap.create({
    type: 'hash',
    name: 'gw_bench_ts',
    keySize: KEY_SIZE,
    valueSize: VALUE_SIZE,
    maxEntries: n,
  });
  try {
    let t = process.hrtime.bigint();
    map.updateBatch(keys, values, n);
    const batchUpdate = perEntry(t);
    t = process.hrtime.bigint();
    const dump = map.lookupBatch(CHUNK);
    const batchDump = perEntry(t);
    if (dump.count !== n) throw new Error(`dump returned ${dump.count} of ${n}`);
    t = process.hrtime.bigint();
    map.deleteBatch(keys, n);
    const batchDelete = perEntry(t);
    const key = (i: number) => keys.subarray(i * KEY_SIZE, (i + 1) * KEY_SIZE);
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) map.update(key(i), values.subarray(i * VALUE_SIZE, (i + 1) * VALUE_SIZE));
    const update = perEntry(t);
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) map.lookup(key(i));
    const lookup = perEntry(t);
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) map.delete(key(i));
    const del = perEntry(t);
    return { batchUpdate, batchDump, batchDelete, update, lookup, delete: del };
  } finally {
    map.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const bin = buildC();
try {
  const c: Result[] = [];
  const ts: Result[] = [];
  // Interleaved rounds, so that noise from the shared machine hits both sides alike.
  for (let r = 0; r < rounds; r++) {
    c.push(JSON.parse(execFileSync(bin, [String(n), String(CHUNK)], { encoding: 'utf8' })) as Result);
    ts.push(runTs());
  }
  console.log(
    `${n} entries, key ${KEY_SIZE} B, value ${VALUE_SIZE} B, hash map, batch chunk ${CHUNK}, median of ${rounds}`,
  );
  console.log('| operation | gitwire (ns/entry) | C (ns/entry) | C ÷ gitwire (throughput ratio) |');
  console.log('|---|---|---|---|');
  for (const op of OPS) {
    const g = median(ts.map((r) => r[op]));
    const k = median(c.map((r) => r[op]));
    console.log(`| ${op} | ${g.toFixed(0)} | ${k.toFixed(0)} | ${(k / g).toFixed(2)}× |`);
  }
} finally {
  fs.rmSync(bin, { force: true });
}
