import fs from 'node:fs';
import * as ffi from './internal/ffi.js';
import { ENOENT } from './internal/errno-name.js';
import { check } from './bpf-error.js';

export type TcxPoint = 'ingress' | 'egress';
const TCX_ATTACH = { ingress: 46, egress: 47 } as const;

export interface LinkInfo {
  readonly type: number;
  readonly id: number;
  readonly progId: number;
  /** tcx links: the device and hook. */
  readonly ifindex: number;
  readonly attachType: number;
}

/**
 * A bpf_link (tcx attachment). The link detaches when its last fd closes,
 * unless it is pinned: pin it so enforcement outlives the process.
 */
export class BpfLink {
  private constructor(readonly fd: number) {}

  /** tcx attach (kernel 6.6+). Takes the ifindex, so no namespace switch is needed. */
  static attachTcx(progFd: number, ifindex: number, point: TcxPoint): BpfLink {
    return new BpfLink(
      check(
        ffi.bpf_link_create(progFd, ifindex, TCX_ATTACH[point], null) as number,
        'tcx attach',
        `ifindex ${ifindex} ${point}`,
      ),
    );
  }

  static fromPin(path: string): BpfLink {
    return new BpfLink(check(ffi.bpf_obj_get(path) as number, 'link open pinned', path));
  }

  /** Opens a pinned link, or undefined when nothing is pinned there. */
  static tryFromPin(path: string): BpfLink | undefined {
    const fd = ffi.bpf_obj_get(path) as number;
    if (fd === -ENOENT) return undefined;
    return new BpfLink(check(fd, 'link open pinned', path));
  }

  pin(path: string): void {
    check(ffi.bpf_obj_pin(this.fd, path) as number, 'link pin', path);
  }

  info(): LinkInfo {
    const info = Buffer.alloc(96);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(info.length);
    check(ffi.bpf_obj_get_info_by_fd(this.fd, info, len) as number, 'link info');
    return {
      type: info.readUInt32LE(0),
      id: info.readUInt32LE(4),
      progId: info.readUInt32LE(8),
      ifindex: info.readUInt32LE(16),
      attachType: info.readUInt32LE(20),
    };
  }

  /** Atomically swaps the program behind the link (no moment without one). */
  update(progFd: number): void {
    check(ffi.bpf_link_update(this.fd, progFd, null) as number, 'link update');
  }

  /** Detaches now, whoever else holds the link. */
  detach(): void {
    check(ffi.bpf_link_detach(this.fd) as number, 'link detach');
  }

  close(): void {
    ffi.close(this.fd);
  }
}

/** Removes a pin; idempotent. A pinned link without other holders detaches. */
export function unpin(path: string): boolean {
  try {
    fs.unlinkSync(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Ids of the programs attached with tcx to a device's hook, in order. */
export function tcxQuery(ifindex: number, point: TcxPoint): number[] {
  const ids = Buffer.alloc(64 * 4);
  const opts = {
    sz: ffi.sizeOf(ffi.progQueryOpts),
    query_flags: 0,
    attach_flags: 0,
    prog_ids: ids,
    prog_cnt: 64,
    prog_attach_flags: null,
  };
  check(
    ffi.bpf_prog_query_opts(ifindex, TCX_ATTACH[point], opts) as number,
    'tcx query',
    `ifindex ${ifindex} ${point}`,
  );
  return Array.from({ length: opts.prog_cnt }, (_, i) => ids.readUInt32LE(i * 4));
}
