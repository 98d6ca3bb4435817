/* ipcache: IPv4 prefix -> identity and tunnel endpoint (LPM trie). */
#ifndef GW_IPCACHE_H
#define GW_IPCACHE_H

struct gw_ipcache_key {
	__u32 prefixlen; /* LPM prefix length over addr: 0..32 */
	__be32 addr;     /* masked to prefixlen */
};
_Static_assert(sizeof(struct gw_ipcache_key) == 8, "gw_ipcache_key size");

struct gw_ipcache_value {
	__u32 identity;
	__be32 tunnel_endpoint; /* underlay address of the owning node; 0 = local or outside */
};
_Static_assert(sizeof(struct gw_ipcache_value) == 8, "gw_ipcache_value size");

#define GW_IPCACHE_MAX_ENTRIES 65536

#endif
