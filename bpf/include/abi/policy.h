/* policy: ONE LPM trie for every endpoint, Cilium-style. The prefix covers
 * identity, endpoint and direction exactly, then protocol, then port bits, so
 * protocol 0 and port prefix 0 act as wildcards:
 *   prefixlen = GW_POLICY_FIXED_PREFIX                      protocol any
 *   prefixlen = GW_POLICY_FIXED_PREFIX + 8 + portPrefixLen  otherwise
 * The datapath looks up (ep, dir, peer, proto, port) and (ep, dir, 0, proto,
 * port) with full length; a deny from either wins. */
#ifndef GW_POLICY_H
#define GW_POLICY_H

enum gw_verdict {
	GW_VERDICT_NONE = 0, /* no entry matched (cache and events only) */
	GW_VERDICT_ALLOW = 1,
	GW_VERDICT_DENY = 2,
	GW_VERDICT_REDIRECT = 3,
};

struct gw_policy_key {
	__u32 prefixlen;
	__u32 identity;    /* peer identity; 0 = any */
	__u16 endpoint_id;
	__u8 direction;    /* enum gw_dir */
	__u8 protocol;     /* 0 = any */
	__be16 dport;      /* ICMP: the type; masked to the port prefix */
	__u8 pad0[2];
};
_Static_assert(sizeof(struct gw_policy_key) == 16, "gw_policy_key size");

enum gw_policy_prefix {
	GW_POLICY_FIXED_PREFIX = 56,
	GW_POLICY_FULL_PREFIX = 80,
};

struct gw_policy_value {
	__u8 verdict;      /* enum gw_verdict */
	__u8 pad0;
	__u16 proxy_port;  /* host byte order; redirect only */
	__u32 rule_id;     /* DesiredState.rules id, carried into events */
};
_Static_assert(sizeof(struct gw_policy_value) == 8, "gw_policy_value size");

#define GW_POLICY_MAX_ENTRIES 65536

#endif
