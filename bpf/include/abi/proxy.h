/* proxy: what the datapath tells the node's L7 proxy about a redirected
 * connection. The redirect writes the client's tuple with the peer's identity;
 * the proxy reads it for each accepted connection, whose local address is the
 * original destination (transparent socket). */
#ifndef GW_PROXY_H
#define GW_PROXY_H

/* skb->mark values, Cilium's: to-proxy carries the proxy port in its upper
 * half; from-proxy marks the proxy's own upstream connections (SO_MARK). */
enum gw_proxy_mark {
	GW_MARK_MAGIC_TO_PROXY = 0x0200,
	GW_MARK_MAGIC_PROXY_INGRESS = 0x0A00,
	GW_MARK_MAGIC_MASK = 0x0F00,
};

struct gw_proxy_key {
	__be32 saddr;      /* the client */
	__be32 daddr;      /* the original destination */
	__be16 sport;
	__be16 dport;
};
_Static_assert(sizeof(struct gw_proxy_key) == 12, "gw_proxy_key size");

struct gw_proxy_value {
	__u32 identity;    /* the peer's: source on ingress, destination on egress */
	__u16 endpoint_id; /* the local endpoint whose policy redirected */
	__u8 direction;    /* enum gw_dir */
	__u8 pad0;
};
_Static_assert(sizeof(struct gw_proxy_value) == 8, "gw_proxy_value size");

#define GW_PROXY_MAX_ENTRIES 65536

#endif
