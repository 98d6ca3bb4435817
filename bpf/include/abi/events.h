/* Ring-buffer events and per-reason counters. Every packet the endpoint
 * program sees is counted under exactly one reason. */
#ifndef GW_EVENTS_H
#define GW_EVENTS_H

enum gw_reason {
	GW_REASON_UNSPEC = 0,
	GW_REASON_ALLOWED = 1,        /* policy allow */
	GW_REASON_REDIRECT = 2,       /* policy redirect (no proxy yet: passed) */
	GW_REASON_NOT_ENFORCED = 3,   /* no entry, direction not enforced */
	GW_REASON_CT_REPLY = 4,       /* reply of a tracked connection, no policy lookup */
	GW_REASON_NOT_IP = 5,
	GW_REASON_NO_ENDPOINT = 6,    /* address not a local endpoint: passed */
	GW_REASON_AUDIT = 7,          /* would-be drop passed in audit mode */
	GW_REASON_DENIED_POLICY = 8,  /* deny entry */
	GW_REASON_DENIED_DEFAULT = 9, /* enforced direction, no allow */
	GW_REASON_IPV6 = 10,          /* IPv6 is not policed yet: always dropped */
	GW_REASON_MALFORMED = 11,
	GW_REASON_INVALID_SOURCE = 12,/* source address of another endpoint */
	GW_REASON_EVENT_SUPPRESSED = 13, /* event over the rate limit (not a packet) */
	GW_REASON_EVENT_LOST = 14,       /* ring buffer full (not a packet) */
	/* 16..19 and 26: the load balancer; 20..21: the L7 proxy redirect. */
	GW_REASON_LB_NO_BACKEND = 16,      /* service without backends: dropped */
	GW_REASON_LB_BACKEND_MISSING = 17, /* a slot names a backend not in the map: dropped */
	GW_REASON_LB_NODEPORT = 18,        /* node device: translated to a backend, passed */
	GW_REASON_LB_NODEPORT_REPLY = 19,  /* node device: reply reverse-NATed, passed */
	GW_REASON_PROXY_UNAVAILABLE = 20,  /* redirect without a proxy listening: dropped */
	GW_REASON_FROM_PROXY = 21,         /* the node's L7 proxy forwarding: policed there */
	GW_REASON_LB_NAT_FAILED = 26,      /* SNAT (NodePort, hairpin): no free port, rewrite or route failed: dropped */
};

/* The counters array's size. Apart from gw_reason, so that every member of
 * gw_reason is a reason its TypeScript mirror must know. */
enum gw_reason_limit {
	GW_REASON_MAX = 32,
};

struct gw_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct gw_counter) == 16, "gw_counter size");

enum gw_event_type {
	GW_EVENT_DROP = 1,
	GW_EVENT_VERDICT = 2, /* a new connection allowed or redirected */
	GW_EVENT_AUDIT = 3,
};

struct gw_event {
	__u64 timestamp_ns;
	__u32 src_identity;
	__u32 dst_identity;
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;      /* ICMP: the type */
	__u32 rule_id;     /* 0 = no rule decided (default deny, not enforced) */
	__u32 ifindex;
	__u16 endpoint_id;
	__u16 pkt_len;
	__u8 type;         /* enum gw_event_type */
	__u8 reason;       /* enum gw_reason */
	__u8 direction;    /* enum gw_dir */
	__u8 protocol;
	__u8 verdict;      /* enum gw_verdict of the matching entry, if any */
	__u8 pad0[3];
};
_Static_assert(sizeof(struct gw_event) == 48, "gw_event size");

#define GW_EVENTS_RINGBUF_SIZE (256 * 1024)

#endif
