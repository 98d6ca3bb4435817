/* policy: ONE LPM trie for every endpoint, Cilium-style. The prefix covers
 * identity, endpoint and direction exactly, then protocol, then port bits, so
 * protocol 0 and port prefix 0 act as wildcards:
 *   prefixlen = GW_POLICY_FIXED_PREFIX                      protocol any
 *   prefixlen = GW_POLICY_FIXED_PREFIX + 8 + portPrefixLen  otherwise
 * The datapath looks up (ep, dir, peer, proto, port) and (ep, dir, 0, proto,
 * port) with full length; a deny from either wins. */
#ifndef GW_POLICY_H
#define GW_POLICY_H

#define GW_VERDICT_NONE 0
#define GW_VERDICT_ALLOW 1
#define GW_VERDICT_DENY 2
#define GW_VERDICT_REDIRECT 3

struct gw_policy_key {
	__u32 prefixlen;
	__u32 identity;    /* peer identity; 0 = any */
	__u16 endpoint_id;
	__u8 direction;    /* GW_DIR_* */
	__u8 protocol;     /* 0 = any */
	__be16 dport;      /* ICMP: the type; masked to the port prefix */
	__u8 pad0[2];
};
_Static_assert(sizeof(struct gw_policy_key) == 16, "gw_policy_key size");

#define GW_POLICY_FIXED_PREFIX 56
#define GW_POLICY_FULL_PREFIX 80

struct gw_policy_value {
	__u8 verdict;      /* GW_VERDICT_* */
	__u8 pad0;
	__u16 proxy_port;  /* host byte order; redirect only */
	__u32 rule_id;     /* DesiredState.rules id, carried into events */
};
_Static_assert(sizeof(struct gw_policy_value) == 8, "gw_policy_value size");

#define GW_POLICY_MAX_ENTRIES 65536

/* Verdict cache: the decision of both lookups for one (endpoint, direction,
 * peer, protocol, port), valid while its generation equals gw_policy_gen,
 * which the agent bumps after every policy write. Keeps the per-packet cost
 * independent of the trie's size. Kernel-only: user space never reads it. */
struct gw_policy_cache_key {
	__u32 identity;
	__u16 endpoint_id;
	__u8 direction;
	__u8 protocol;
	__be16 dport;
	__u8 pad0[2];
};
_Static_assert(sizeof(struct gw_policy_cache_key) == 12, "gw_policy_cache_key size");

struct gw_policy_cache_value {
	__u32 generation;
	struct gw_policy_value result; /* verdict GW_VERDICT_NONE = no entry matched */
};
_Static_assert(sizeof(struct gw_policy_cache_value) == 12, "gw_policy_cache_value size");

#define GW_POLICY_CACHE_MAX_ENTRIES 65536

#endif
