import * as ffi from './internal/ffi.js';
import { EEXIST, ENOENT } from './internal/errno-name.js';
import { check } from './bpf-error.js';

// Legacy tc (clsact qdisc + cls_bpf in direct-action mode) through libbpf's
// netlink calls. These act in the CALLING THREAD's network namespace: wrap
// them in inNetns() for a device in another namespace.

export type TcPoint = 'ingress' | 'egress';
const POINT = { ingress: 1, egress: 2 } as const;

export interface TcFilter {
  readonly handle: number;
  readonly priority: number;
}

function hook(ifindex: number, attachPoint: number) {
  return { sz: ffi.sizeOf(ffi.tcHook), ifindex, attach_point: attachPoint, parent: 0 };
}

function opts(fields: { progFd?: number; handle?: number; priority?: number; flags?: number }) {
  return {
    sz: ffi.sizeOf(ffi.tcOpts),
    prog_fd: fields.progFd ?? 0,
    flags: fields.flags ?? 0,
    prog_id: 0,
    handle: fields.handle ?? 0,
    priority: fields.priority ?? 0,
  };
}

/** Creates the clsact qdisc of a device; idempotent. */
export function tcHookCreate(ifindex: number): void {
  const r = ffi.bpf_tc_hook_create(hook(ifindex, POINT.ingress)) as number;
  if (r !== -EEXIST) check(r, 'tc hook create', `ifindex ${ifindex}`);
}

/** Removes the clsact qdisc with every filter on both hooks (destroying one hook only flushes it). */
export function tcHookDestroy(ifindex: number): void {
  const r = ffi.bpf_tc_hook_destroy(hook(ifindex, POINT.ingress | POINT.egress)) as number;
  if (r !== -ENOENT) check(r, 'tc hook destroy', `ifindex ${ifindex}`);
}

/** Attaches a direct-action filter, replacing one at the same handle and priority. */
export function tcAttach(
  ifindex: number,
  point: TcPoint,
  progFd: number,
  at: TcFilter = { handle: 1, priority: 1 },
): TcFilter & { progId: number } {
  tcHookCreate(ifindex);
  const o = opts({ progFd, handle: at.handle, priority: at.priority, flags: 1 /* BPF_TC_F_REPLACE */ });
  check(ffi.bpf_tc_attach(hook(ifindex, POINT[point]), o) as number, 'tc attach', `ifindex ${ifindex} ${point}`);
  return { handle: o.handle, priority: o.priority, progId: o.prog_id };
}

/** Idempotent: detaching an absent filter succeeds and returns false. */
export function tcDetach(ifindex: number, point: TcPoint, at: TcFilter = { handle: 1, priority: 1 }): boolean {
  const r = ffi.bpf_tc_detach(hook(ifindex, POINT[point]), opts(at)) as number;
  if (r === -ENOENT || r === -22 /* no clsact qdisc: EINVAL */) return false;
  check(r, 'tc detach', `ifindex ${ifindex} ${point}`);
  return true;
}

/** The id of the program attached at handle/priority, or undefined. */
export function tcQuery(
  ifindex: number,
  point: TcPoint,
  at: TcFilter = { handle: 1, priority: 1 },
): number | undefined {
  const o = opts(at);
  const r = ffi.bpf_tc_query(hook(ifindex, POINT[point]), o) as number;
  if (r === -ENOENT || r === -22) return undefined;
  check(r, 'tc query', `ifindex ${ifindex} ${point}`);
  return o.prog_id;
}

/** if_nametoindex in the calling thread's namespace; throws ENODEV when absent. */
export function ifIndex(name: string): number {
  const idx = ffi.if_nametoindex(name) as number;
  if (idx === 0) check(-ffi.errno(), 'interface index', name);
  return idx;
}
