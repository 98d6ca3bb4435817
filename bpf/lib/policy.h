/* Policy: one LPM trie for every endpoint, two lookups per packet (the peer's
 * identity and identity 0), and a verdict cache in front of them. */
#ifndef GW_LIB_POLICY_H
#define GW_LIB_POLICY_H

#include "lib/common.h"
#include "lib/config.h"
#include "lib/packet.h"
#include "abi/events.h"
#include "abi/policy.h"

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

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, GW_POLICY_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct gw_policy_key);
	__type(value, struct gw_policy_value);
} gw_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GW_POLICY_CACHE_MAX_ENTRIES);
	__type(key, struct gw_policy_cache_key);
	__type(value, struct gw_policy_cache_value);
} gw_policy_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} gw_policy_gen SEC(".maps");

static __always_inline struct gw_policy_value *policy_lookup(__u16 ep, enum gw_dir dir, __u32 identity,
							     const struct gw_pkt *p)
{
	struct gw_policy_key k = {
		.prefixlen = GW_POLICY_FULL_PREFIX,
		.identity = identity,
		.endpoint_id = ep,
		.direction = dir,
		.protocol = p->protocol,
		.dport = p->policy_port,
	};

	return bpf_map_lookup_elem(&gw_policy, &k);
}

/* Both lookups, deny first; the result's verdict is NONE when nothing matched. */
static __always_inline struct gw_policy_value policy_decide(__u16 ep, enum gw_dir dir, __u32 peer,
							    const struct gw_pkt *p)
{
	struct gw_policy_value none = {};
	struct gw_policy_value *v_peer = policy_lookup(ep, dir, peer, p);
	struct gw_policy_value *v_any = policy_lookup(ep, dir, GW_IDENTITY_UNKNOWN, p);

	if (v_peer && v_peer->verdict == GW_VERDICT_DENY)
		return *v_peer;
	if (v_any && v_any->verdict == GW_VERDICT_DENY)
		return *v_any;
	if (v_peer && v_peer->verdict != GW_VERDICT_NONE)
		return *v_peer;
	if (v_any && v_any->verdict != GW_VERDICT_NONE)
		return *v_any;
	return none;
}

static __always_inline struct gw_policy_value policy_verdict(__u16 ep, enum gw_dir dir, __u32 peer,
							     const struct gw_pkt *p)
{
	struct gw_policy_cache_key ck = {
		.identity = peer, .endpoint_id = ep, .direction = dir, .protocol = p->protocol, .dport = p->policy_port,
	};
	struct gw_policy_cache_value nv, *cv;
	__u32 zero = 0, *genp, gen;

	if (!(gw_config.flags & GW_CFG_POLICY_CACHE))
		return policy_decide(ep, dir, peer, p);
	/* The generation is read before the trie, so a result computed from
	 * entries that change meanwhile is stored as already stale. */
	genp = bpf_map_lookup_elem(&gw_policy_gen, &zero);
	gen = genp ? *genp : 0;
	cv = bpf_map_lookup_elem(&gw_policy_cache, &ck);
	if (cv && cv->generation == gen)
		return cv->result;
	nv.generation = gen;
	nv.result = policy_decide(ep, dir, peer, p);
	bpf_map_update_elem(&gw_policy_cache, &ck, &nv, BPF_ANY);
	return nv.result;
}

/* The reason a verdict (or its absence) gives a packet, before audit mode. */
static __always_inline enum gw_reason policy_reason(const struct gw_policy_value *pv, bool enforced)
{
	if (pv && pv->verdict == GW_VERDICT_DENY)
		return GW_REASON_DENIED_POLICY;
	if (pv && pv->verdict == GW_VERDICT_REDIRECT)
		return GW_REASON_REDIRECT;
	if (pv)
		return GW_REASON_ALLOWED;
	return enforced ? GW_REASON_DENIED_DEFAULT : GW_REASON_NOT_ENFORCED;
}

#endif
