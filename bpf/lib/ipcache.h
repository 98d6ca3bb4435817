/* ipcache: the identity (and, for a remote prefix, the node) behind an address. */
#ifndef GW_LIB_IPCACHE_H
#define GW_LIB_IPCACHE_H

#include "lib/common.h"
#include "abi/ipcache.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, GW_IPCACHE_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct gw_ipcache_key);
	__type(value, struct gw_ipcache_value);
} gw_ipcache SEC(".maps");

/* No match is the world. Encapsulation would read tunnel_endpoint from the same entry. */
static __always_inline __u32 peer_identity(__be32 addr)
{
	struct gw_ipcache_key k = { .prefixlen = 32, .addr = addr };
	struct gw_ipcache_value *v = bpf_map_lookup_elem(&gw_ipcache, &k);

	return v ? v->identity : GW_IDENTITY_WORLD;
}

#endif
