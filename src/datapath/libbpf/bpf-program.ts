import * as ffi from './internal/ffi.js';
import { check } from './bpf-error.js';

export interface TestRunInput {
  /** The packet, starting at the Ethernet header for tc programs. */
  readonly data: Buffer;
  readonly repeat?: number;
  /** A `struct __sk_buff` (or the program type's context) to pass in. */
  readonly ctx?: Buffer;
}

export interface TestRunResult {
  /** The program's return code (TC_ACT_*). */
  readonly retval: number;
  /** Average ns per run as the kernel measured it. */
  readonly durationNs: number;
  readonly dataOut: Buffer;
}

/** A loaded program: an fd owned by its object (or by this handle when opened by id). */
export class BpfProgram {
  constructor(
    readonly fd: number,
    readonly name: string,
    private readonly ownsFd = false,
  ) {}

  static fromId(id: number): BpfProgram {
    const fd = check(ffi.bpf_prog_get_fd_by_id(id) as number, 'program open by id', String(id));
    return new BpfProgram(fd, progInfo(fd).name, true);
  }

  /** BPF_PROG_TEST_RUN on the calling thread; blocks the event loop for repeat × the program's cost. */
  testRun(input: TestRunInput): TestRunResult {
    const { opts, out } = runOpts(input);
    check(ffi.bpf_prog_test_run_opts(this.fd, opts) as number, 'program test run', this.name);
    return { retval: opts.retval, durationNs: opts.duration, dataOut: out.subarray(0, opts.data_size_out) };
  }

  /** BPF_PROG_TEST_RUN on a worker thread, leaving the event loop free. */
  testRunAsync(input: TestRunInput): Promise<TestRunResult> {
    const { opts, out } = runOpts(input);
    return new Promise((resolve, reject) => {
      ffi.bpf_prog_test_run_opts.async(this.fd, opts, (err: unknown, ret: number) => {
        if (err) return reject(err);
        try {
          check(ret, 'program test run', this.name);
          resolve({ retval: opts.retval, durationNs: opts.duration, dataOut: out.subarray(0, opts.data_size_out) });
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  close(): void {
    if (this.ownsFd) ffi.close(this.fd);
  }
}

function runOpts(input: TestRunInput) {
  const out = Buffer.alloc(input.data.length + 256);
  const opts = {
    sz: ffi.sizeOf(ffi.testRunOpts),
    data_in: input.data,
    data_out: out,
    data_size_in: input.data.length,
    data_size_out: out.length,
    ctx_in: input.ctx ?? null,
    ctx_out: null,
    ctx_size_in: input.ctx?.length ?? 0,
    ctx_size_out: 0,
    retval: 0,
    repeat: input.repeat ?? 1,
    duration: 0,
    flags: 0,
    cpu: 0,
    batch_size: 0,
  };
  return { opts, out };
}

export interface ProgInfo {
  readonly type: number;
  readonly id: number;
  /** The kernel's hash of the program's instructions (hex): equal code has equal tags. */
  readonly tag: string;
  readonly name: string;
}

/** Reads struct bpf_prog_info: type, id, tag and name. */
export function progInfo(fd: number): ProgInfo {
  const info = progInfoRaw(fd);
  const name = info.subarray(64, 80);
  const end = name.indexOf(0);
  return {
    type: info.readUInt32LE(0),
    id: info.readUInt32LE(4),
    tag: info.subarray(8, 16).toString('hex'),
    name: name.toString('utf8', 0, end < 0 ? 16 : end),
  };
}

/** Ids of the maps a loaded program uses (struct bpf_prog_info.map_ids). */
export function progMapIds(fd: number): number[] {
  const count = progInfoRaw(fd).readUInt32LE(52);
  const ids = Buffer.alloc(Math.max(count, 1) * 4);
  const info = Buffer.alloc(256);
  info.writeUInt32LE(count, 52);
  info.writeBigUInt64LE(ffi.addressOf(ids), 56);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(info.length);
  check(ffi.bpf_obj_get_info_by_fd(fd, info, len) as number, 'program map ids');
  return Array.from({ length: count }, (_, i) => ids.readUInt32LE(i * 4));
}

function progInfoRaw(fd: number): Buffer {
  const info = Buffer.alloc(256);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(info.length);
  check(ffi.bpf_obj_get_info_by_fd(fd, info, len) as number, 'program info');
  return info;
}
