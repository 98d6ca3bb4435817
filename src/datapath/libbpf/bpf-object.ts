import fs from 'node:fs';
import path from 'node:path';
import * as ffi from './internal/ffi.js';
import { EAGAIN, ENOENT } from './internal/errno-name.js';
import { captureLog } from './internal/log.js';
import { BpfError, check } from './bpf-error.js';
import { BpfMap } from './bpf-map.js';
import { BpfProgram } from './bpf-program.js';

/** Plain data: how to open and load one compiled object. */
export interface BpfObjectSpec {
  /** Path of the compiled `.bpf.o`. */
  readonly file: string;
  /** Pin every named map at `<dir>/<map name>`, reusing what is already pinned there. */
  readonly pinDir?: string;
  /** Overrides of max_entries by map name. */
  readonly maxEntries?: Readonly<Record<string, number>>;
  /** Initial value of the object's .rodata (its `const volatile` globals). */
  readonly rodata?: Buffer;
}

/** A loaded object: its maps and programs by name. close() releases the fds (pins stay). */
export class BpfObject {
  private constructor(
    private ptr: ffi.Ptr | null,
    readonly maps: ReadonlyMap<string, BpfMap>,
    readonly programs: ReadonlyMap<string, BpfProgram>,
  ) {}

  /**
   * Opens and loads. A verifier rejection throws with the verifier's log; a
   * pinned map whose definition no longer matches throws
   * BPF_PINNED_MAP_MISMATCH naming the map, instead of silently replacing it.
   */
  static load(spec: BpfObjectSpec): BpfObject {
    return captureLog((log) => {
      const ptr = ffi.bpf_object__open_file(spec.file, null) as ffi.Ptr | null;
      if (ptr === null) throw new BpfError('BPF_CALL_FAILED', 'object open', ffi.errno(), spec.file, log());
      try {
        configure(ptr, spec);
        const r = ffi.bpf_object__load(ptr) as number;
        if (r < 0) throw loadError(-r, spec, log());
        return new BpfObject(ptr, collectMaps(ptr), collectPrograms(ptr));
      } catch (e) {
        ffi.bpf_object__close(ptr);
        throw e;
      }
    });
  }

  map(name: string): BpfMap {
    const m = this.maps.get(name);
    if (!m) throw new BpfError('BPF_CALL_FAILED', 'object map', ENOENT, name);
    return m;
  }

  program(name: string): BpfProgram {
    const p = this.programs.get(name);
    if (!p) throw new BpfError('BPF_CALL_FAILED', 'object program', ENOENT, name);
    return p;
  }

  close(): void {
    if (this.ptr !== null) ffi.bpf_object__close(this.ptr);
    this.ptr = null;
  }
}

function* eachMap(ptr: ffi.Ptr): Generator<[string, ffi.Ptr]> {
  for (
    let m = ffi.bpf_object__next_map(ptr, null) as ffi.Ptr | null;
    m !== null;
    m = ffi.bpf_object__next_map(ptr, m)
  ) {
    yield [ffi.bpf_map__name(m) as string, m];
  }
}

// Internal maps (.rodata, .bss) carry a dot in their name and are never pinned.
const isInternal = (name: string) => name.includes('.');

function configure(ptr: ffi.Ptr, spec: BpfObjectSpec): void {
  if (spec.pinDir) fs.mkdirSync(spec.pinDir, { recursive: true });
  let rodataSet = false;
  for (const [name, m] of eachMap(ptr)) {
    const max = spec.maxEntries?.[name];
    if (max !== undefined) check(ffi.bpf_map__set_max_entries(m, max) as number, 'map set max entries', name);
    if (spec.pinDir && !isInternal(name)) {
      check(ffi.bpf_map__set_pin_path(m, path.join(spec.pinDir, name)) as number, 'map set pin path', name);
    }
    if (spec.rodata && name.endsWith('.rodata')) {
      const size = [0n];
      ffi.bpf_map__initial_value(m, size);
      if (Number(size[0]) !== spec.rodata.length) {
        throw new BpfError(
          'BPF_CALL_FAILED',
          'object set rodata',
          22,
          `${size[0]} bytes expected, ${spec.rodata.length} given`,
        );
      }
      check(ffi.bpf_map__set_initial_value(m, spec.rodata, spec.rodata.length) as number, 'object set rodata', name);
      rodataSet = true;
    }
  }
  if (spec.rodata && !rodataSet) throw new BpfError('BPF_CALL_FAILED', 'object set rodata', ENOENT, 'no .rodata map');
}

function loadError(errno: number, spec: BpfObjectSpec, log: string): BpfError {
  const mismatch = /couldn't reuse pinned map at '([^']+)'/.exec(log);
  if (mismatch) {
    return new BpfError(
      'BPF_PINNED_MAP_MISMATCH',
      'object load',
      errno,
      `the map pinned at ${mismatch[1]} has another definition than ${spec.file}; remove the pin to recreate it`,
      log,
    );
  }
  // The verifier gives up with EAGAIN when a signal is pending (a profiler's SIGPROF, a child's SIGCHLD);
  // libbpf retries a few times, and a later load goes through: nothing was rejected.
  if (errno === EAGAIN) {
    return new BpfError('BPF_CALL_FAILED', 'object load', errno, `${spec.file}: the verifier was interrupted`, log);
  }
  const verifier = log.includes('BEGIN PROG LOAD LOG');
  return new BpfError(verifier ? 'BPF_VERIFIER_REJECTED' : 'BPF_CALL_FAILED', 'object load', errno, spec.file, log);
}

function collectMaps(ptr: ffi.Ptr): Map<string, BpfMap> {
  const maps = new Map<string, BpfMap>();
  for (const [name, m] of eachMap(ptr)) maps.set(name, BpfMap.fromFd(ffi.bpf_map__fd(m) as number));
  return maps;
}

function collectPrograms(ptr: ffi.Ptr): Map<string, BpfProgram> {
  const progs = new Map<string, BpfProgram>();
  for (
    let p = ffi.bpf_object__next_program(ptr, null) as ffi.Ptr | null;
    p !== null;
    p = ffi.bpf_object__next_program(ptr, p)
  ) {
    const name = ffi.bpf_program__name(p) as string;
    progs.set(name, new BpfProgram(ffi.bpf_program__fd(p) as number, name));
  }
  return progs;
}
