import koffi from 'koffi';

// The system libbpf (1.x: calls return -errno) and the few libc calls the
// binding needs. Pointers are BigInt in koffi 3; NULL comes back as null.

export type Ptr = bigint;

export const lib = koffi.load('libbpf.so.1');
export const libc = koffi.load('libc.so.6');

koffi.opaque('bpf_object');
koffi.opaque('bpf_map');
koffi.opaque('bpf_program');
koffi.opaque('ring_buffer');

export const batchOpts = koffi.struct('gw_bpf_map_batch_opts', {
  sz: 'size_t',
  elem_flags: 'uint64_t',
  flags: 'uint64_t',
});
export const tcHook = koffi.struct('gw_bpf_tc_hook', {
  sz: 'size_t',
  ifindex: 'int',
  attach_point: 'int',
  parent: 'uint32_t',
});
export const tcOpts = koffi.struct('gw_bpf_tc_opts', {
  sz: 'size_t',
  prog_fd: 'int',
  flags: 'uint32_t',
  prog_id: 'uint32_t',
  handle: 'uint32_t',
  priority: 'uint32_t',
});
export const testRunOpts = koffi.struct('gw_bpf_test_run_opts', {
  sz: 'size_t',
  data_in: 'void *',
  data_out: 'void *',
  data_size_in: 'uint32_t',
  data_size_out: 'uint32_t',
  ctx_in: 'void *',
  ctx_out: 'void *',
  ctx_size_in: 'uint32_t',
  ctx_size_out: 'uint32_t',
  retval: 'uint32_t',
  repeat: 'int',
  duration: 'uint32_t',
  flags: 'uint32_t',
  cpu: 'uint32_t',
  batch_size: 'uint32_t',
});
export const progQueryOpts = koffi.struct('gw_bpf_prog_query_opts', {
  sz: 'size_t',
  query_flags: 'uint32_t',
  attach_flags: 'uint32_t',
  prog_ids: 'void *',
  prog_cnt: 'uint32_t',
  prog_attach_flags: 'void *',
});
export const mapCreateOpts = koffi.struct('gw_bpf_map_create_opts', {
  sz: 'size_t',
  btf_fd: 'uint32_t',
  btf_key_type_id: 'uint32_t',
  btf_value_type_id: 'uint32_t',
  btf_vmlinux_value_type_id: 'uint32_t',
  inner_map_fd: 'uint32_t',
  map_flags: 'uint32_t',
  map_extra: 'uint64_t',
  numa_node: 'uint32_t',
  map_ifindex: 'uint32_t',
});

export const printFn = koffi.proto('int gw_libbpf_print_fn(int level, const char *fmt, void *args)');
export const sampleFn = koffi.proto('int gw_ring_buffer_sample_fn(void *ctx, void *data, size_t size)');

export const libbpf_set_print = lib.func('void *libbpf_set_print(gw_libbpf_print_fn *fn)');
export const libbpf_num_possible_cpus = lib.func('int libbpf_num_possible_cpus()');

export const bpf_object__open_file = lib.func('bpf_object *bpf_object__open_file(const char *path, void *opts)');
export const bpf_object__load = lib.func('int bpf_object__load(bpf_object *obj)');
export const bpf_object__close = lib.func('void bpf_object__close(bpf_object *obj)');
export const bpf_object__next_map = lib.func('bpf_map *bpf_object__next_map(bpf_object *obj, bpf_map *map)');
export const bpf_object__next_program = lib.func(
  'bpf_program *bpf_object__next_program(bpf_object *obj, bpf_program *prog)',
);
export const bpf_map__name = lib.func('const char *bpf_map__name(bpf_map *map)');
export const bpf_map__fd = lib.func('int bpf_map__fd(bpf_map *map)');
export const bpf_map__set_pin_path = lib.func('int bpf_map__set_pin_path(bpf_map *map, const char *path)');
export const bpf_map__set_max_entries = lib.func('int bpf_map__set_max_entries(bpf_map *map, uint32_t max)');
export const bpf_map__initial_value = lib.func('void *bpf_map__initial_value(bpf_map *map, _Out_ size_t *psize)');
export const bpf_map__set_initial_value = lib.func(
  'int bpf_map__set_initial_value(bpf_map *map, const void *data, size_t size)',
);
export const bpf_program__name = lib.func('const char *bpf_program__name(bpf_program *prog)');
export const bpf_program__fd = lib.func('int bpf_program__fd(bpf_program *prog)');

export const bpf_map_create = lib.func(
  'int bpf_map_create(int type, const char *name, uint32_t key_size, uint32_t value_size, uint32_t max_entries, const gw_bpf_map_create_opts *opts)',
);
export const bpf_obj_get = lib.func('int bpf_obj_get(const char *path)');
export const bpf_obj_pin = lib.func('int bpf_obj_pin(int fd, const char *path)');
export const bpf_obj_get_info_by_fd = lib.func('int bpf_obj_get_info_by_fd(int fd, void *info, void *info_len)');
export const bpf_map_get_fd_by_id = lib.func('int bpf_map_get_fd_by_id(uint32_t id)');
export const bpf_prog_get_fd_by_id = lib.func('int bpf_prog_get_fd_by_id(uint32_t id)');
export const bpf_map_update_elem = lib.func(
  'int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)',
);
export const bpf_map_lookup_elem = lib.func('int bpf_map_lookup_elem(int fd, const void *key, void *value)');
export const bpf_map_delete_elem = lib.func('int bpf_map_delete_elem(int fd, const void *key)');
export const bpf_map_get_next_key = lib.func('int bpf_map_get_next_key(int fd, const void *key, void *next_key)');
export const bpf_map_update_batch = lib.func(
  'int bpf_map_update_batch(int fd, const void *keys, const void *values, void *count, const gw_bpf_map_batch_opts *opts)',
);
export const bpf_map_lookup_batch = lib.func(
  'int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, void *count, const gw_bpf_map_batch_opts *opts)',
);
export const bpf_map_delete_batch = lib.func(
  'int bpf_map_delete_batch(int fd, const void *keys, void *count, const gw_bpf_map_batch_opts *opts)',
);
export const bpf_prog_test_run_opts = lib.func(
  'int bpf_prog_test_run_opts(int prog_fd, _Inout_ gw_bpf_test_run_opts *opts)',
);
export const bpf_link_create = lib.func('int bpf_link_create(int prog_fd, int target, int attach_type, void *opts)');
export const bpf_link_update = lib.func('int bpf_link_update(int link_fd, int new_prog_fd, void *opts)');
export const bpf_link_detach = lib.func('int bpf_link_detach(int link_fd)');
export const bpf_prog_query_opts = lib.func(
  'int bpf_prog_query_opts(int target, int attach_type, _Inout_ gw_bpf_prog_query_opts *opts)',
);

export const bpf_tc_hook_create = lib.func('int bpf_tc_hook_create(gw_bpf_tc_hook *hook)');
export const bpf_tc_hook_destroy = lib.func('int bpf_tc_hook_destroy(gw_bpf_tc_hook *hook)');
export const bpf_tc_attach = lib.func('int bpf_tc_attach(const gw_bpf_tc_hook *hook, _Inout_ gw_bpf_tc_opts *opts)');
export const bpf_tc_detach = lib.func('int bpf_tc_detach(const gw_bpf_tc_hook *hook, const gw_bpf_tc_opts *opts)');
export const bpf_tc_query = lib.func('int bpf_tc_query(const gw_bpf_tc_hook *hook, _Inout_ gw_bpf_tc_opts *opts)');

export const ring_buffer__new = lib.func(
  'ring_buffer *ring_buffer__new(int map_fd, gw_ring_buffer_sample_fn *cb, void *ctx, void *opts)',
);
export const ring_buffer__consume = lib.func('int ring_buffer__consume(ring_buffer *rb)');
export const ring_buffer__free = lib.func('void ring_buffer__free(ring_buffer *rb)');

export const vsnprintf = libc.func('int vsnprintf(_Out_ uint8_t *buf, size_t n, const char *fmt, void *ap)');
export const strerror = libc.func('const char *strerror(int errnum)');
export const close = libc.func('int close(int fd)');
export const setns = libc.func('int setns(int fd, int nstype)');
export const if_nametoindex = libc.func('unsigned int if_nametoindex(const char *name)');

export const CLONE_NEWNET = 0x40000000;

export function errno(): number {
  return koffi.errno();
}

export function sizeOf(type: unknown): number {
  return koffi.sizeof(type as Parameters<typeof koffi.sizeof>[0]);
}

export function register(fn: (...args: never[]) => unknown, proto: unknown): unknown {
  return koffi.register(fn, koffi.pointer(proto as never));
}

export function unregister(cb: unknown): void {
  koffi.unregister(cb as Parameters<typeof koffi.unregister>[0]);
}

/** The native address of a Buffer's memory, for pointers inside structs. */
export function addressOf(buf: Buffer): bigint {
  return koffi.address(buf) as bigint;
}

/** Copies `size` bytes at a native pointer into a new Buffer. */
export function copyOut(ptr: Ptr, size: number): Buffer {
  return Buffer.from(new Uint8Array(koffi.view(ptr as never, size) as ArrayBuffer));
}
