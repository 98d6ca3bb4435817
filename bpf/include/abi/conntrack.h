/* conntrack: LRU hash of connections as first seen at one endpoint in one
 * direction. The endpoint and direction are part of the key, so a connection
 * between two local endpoints is tracked (and policed) at each of them. A
 * reply is the reversed tuple in the opposite direction. A connection the
 * load balancer translated is tracked by its translated tuple and carries
 * the reverse-NAT index its replies are rewritten with. */
#ifndef GW_CONNTRACK_H
#define GW_CONNTRACK_H

struct gw_ct_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;      /* ICMP echo: the identifier */
	__be16 dport;
	__u16 endpoint_id;
	__u8 protocol;
	__u8 direction;    /* enum gw_dir of the packet that opened the connection */
};
_Static_assert(sizeof(struct gw_ct_key) == 16, "gw_ct_key size");

enum gw_ct_flag {
	GW_CT_FWD_FIN = 1 << 0,
	GW_CT_REV_FIN = 1 << 1,
	GW_CT_RST = 1 << 2,
	GW_CT_SEEN_REPLY = 1 << 3,
	GW_CT_AUDIT = 1 << 4, /* opened while a drop was only audited */
};

struct gw_ct_value {
	__u64 created_ns;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 last_seen_ns;
	__u64 packets_fwd;
	__u64 packets_rev;
	__u32 lifetime_s;   /* expired when last_seen_ns + lifetime_s < now */
	__u32 rule_id;      /* rule that allowed the connection; 0 = none */
	__u16 flags;        /* enum gw_ct_flag bits */
	__u16 rev_nat_index; /* load balancer: 0 = not translated */
	__u8 pad0[4];
};
_Static_assert(sizeof(struct gw_ct_value) == 48, "gw_ct_value size");

#define GW_CT_MAX_ENTRIES 65536

#endif
