/* NodePort SNAT and hairpin: the NAT table that lets a reply find the client
 * a connection's source was rewritten from. Modelled on Cilium's SNAT map:
 * one entry per direction of a translated connection. */
#ifndef GW_NODEPORT_H
#define GW_NODEPORT_H

enum gw_snat_dir {
	GW_SNAT_OUT = 0, /* client -> backend as translated to: the address and port it leaves with */
	GW_SNAT_IN = 1,  /* backend -> the address and port given: the client to give the reply to */
};

struct gw_snat_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 dir;          /* enum gw_snat_dir */
	__u8 pad0[2];
};
_Static_assert(sizeof(struct gw_snat_key) == 16, "gw_snat_key size");

struct gw_snat_value {
	__be32 addr;
	__be16 port;
	__u16 rev_nat_index; /* GW_SNAT_IN: the frontend the reply leaves as */
	__u64 created_ns;
};
_Static_assert(sizeof(struct gw_snat_value) == 16, "gw_snat_value size");

/* A backend that reaches its own service is given this source (Cilium's
 * IPV4_LOOPBACK), so that it does not receive a packet from itself. */
#define GW_HAIRPIN_ADDR 0xa9fe2a01 /* 169.254.42.1, host order */

#define GW_SNAT_PORT_MIN 32768
#define GW_SNAT_PORT_MAX 60999
#define GW_SNAT_MAX_ENTRIES 65536

#endif
