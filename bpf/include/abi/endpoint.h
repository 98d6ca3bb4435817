/* endpoints: IPv4 address -> what the datapath needs to know about a local
 * workload. Keyed by address like Cilium's endpoint map; ifindex guards the
 * source address against spoofing from another endpoint's veth. */
#ifndef GW_ENDPOINT_H
#define GW_ENDPOINT_H

enum gw_ep_flag {
	GW_EP_ENFORCE_INGRESS = 1 << 0,
	GW_EP_ENFORCE_EGRESS = 1 << 1,
	GW_EP_AUDIT = 1 << 2,
};

struct gw_endpoint_key {
	__be32 addr;
};
_Static_assert(sizeof(struct gw_endpoint_key) == 4, "gw_endpoint_key size");

struct gw_endpoint_value {
	__u32 ifindex;     /* host-side veth; 0 = not checked */
	__u32 identity;
	__u16 endpoint_id;
	__u8 flags;        /* enum gw_ep_flag bits */
	__u8 pad0;
	__u8 mac[6];       /* workload-side MAC */
	__u8 pad1[2];
	char ifname[16];   /* host-side veth name, NUL padded */
};
_Static_assert(sizeof(struct gw_endpoint_value) == 36, "gw_endpoint_value size");

#define GW_ENDPOINT_MAX_ENTRIES 4096

#endif
