import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The verifier gives up with EAGAIN when a signal is pending, and V8's sampling profiler sends
// SIGPROF to the thread every interval: at 50 µs, a load of the endpoint object never gets through.
// The built library (dist, made by `npm run build`) runs in a child so that only it is profiled.
const root = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-eagain-'));
const script = `
const lib = await import(${JSON.stringify(path.join(root, 'dist/datapath/libbpf/index.js'))});
try {
  lib.BpfObject.load({ file: ${JSON.stringify(path.join(root, 'bpf/build/endpoint.bpf.o'))} }).close();
  console.log(JSON.stringify({ loaded: true }));
} catch (e) {
  console.log(JSON.stringify({ loaded: false, code: e.code, kind: e.errorKind, message: e.message.split('\\n')[0] }));
}`;

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('an object load interrupted by signals', () => {
  it('fails as transient (retried), never as a program the verifier rejected', () => {
    const r = spawnSync(
      process.execPath,
      ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', tmp, '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(out).toEqual({
      loaded: false,
      code: 'BPF_CALL_FAILED',
      kind: 'transient',
      message: expect.stringMatching(/^object load: EAGAIN .*the verifier was interrupted$/),
    });
  });
});
