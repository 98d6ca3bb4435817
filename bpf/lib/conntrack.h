/* Conntrack: connections as first seen at one endpoint in one direction.
 * Lifetimes come from .rodata; an expired entry is ignored here and removed
 * by the agent's CtMap.gc(). */
#ifndef GW_LIB_CONNTRACK_H
#define GW_LIB_CONNTRACK_H

#include "lib/common.h"
#include "lib/config.h"
#include "lib/packet.h"
#include "abi/conntrack.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GW_CT_MAX_ENTRIES);
	__type(key, struct gw_ct_key);
	__type(value, struct gw_ct_value);
} gw_ct SEC(".maps");

/* The key of the packet's own tuple (reply = false) or of the connection it answers (reply = true). */
static __always_inline struct gw_ct_key ct_key(const struct gw_pkt *p, __u16 ep, enum gw_dir dir, bool reply)
{
	struct gw_ct_key k = {
		.saddr = reply ? p->daddr : p->saddr,
		.daddr = reply ? p->saddr : p->daddr,
		.sport = reply ? p->dport : p->sport,
		.dport = reply ? p->sport : p->dport,
		.endpoint_id = ep,
		.protocol = p->protocol,
		.direction = dir,
	};

	return k;
}

static __always_inline __u32 ct_lifetime(__u8 protocol, __u16 flags)
{
	if (protocol != IPPROTO_TCP)
		return gw_config.ct_lifetime_nontcp;
	if (flags & (GW_CT_FWD_FIN | GW_CT_REV_FIN | GW_CT_RST))
		return gw_config.ct_lifetime_close;
	if (!(flags & GW_CT_SEEN_REPLY))
		return gw_config.ct_lifetime_syn;
	return gw_config.ct_lifetime_tcp;
}

static __always_inline bool ct_live(const struct gw_ct_value *ct, __u64 now)
{
	return ct->last_seen_ns + (__u64)ct->lifetime_s * NSEC_PER_SEC >= now;
}

/* A live entry under k, or NULL. */
static __always_inline struct gw_ct_value *ct_lookup_live(const struct gw_ct_key *k, __u64 now)
{
	struct gw_ct_value *ct = bpf_map_lookup_elem(&gw_ct, k);

	return ct && ct_live(ct, now) ? ct : NULL;
}

/* The entry under k; an expired one is deleted and not returned. */
static __always_inline struct gw_ct_value *ct_lookup_or_expire(const struct gw_ct_key *k, __u64 now)
{
	struct gw_ct_value *ct = bpf_map_lookup_elem(&gw_ct, k);

	if (ct && !ct_live(ct, now)) {
		bpf_map_delete_elem(&gw_ct, k);
		return NULL;
	}
	return ct;
}

static __always_inline void ct_touch(struct gw_ct_value *ct, const struct gw_pkt *p, bool reply, __u64 now)
{
	__u16 flags = ct->flags;

	if (p->tcp_flags & TCP_FLAG_RST)
		flags |= GW_CT_RST;
	if (p->tcp_flags & TCP_FLAG_FIN)
		flags |= reply ? GW_CT_REV_FIN : GW_CT_FWD_FIN;
	if (reply) {
		flags |= GW_CT_SEEN_REPLY;
		__sync_fetch_and_add(&ct->packets_rev, 1);
	} else {
		__sync_fetch_and_add(&ct->packets_fwd, 1);
	}
	ct->flags = flags;
	ct->lifetime_s = ct_lifetime(p->protocol, flags);
	ct->last_seen_ns = now;
}

static __always_inline void ct_create(const struct gw_ct_key *k, const struct gw_pkt *p, __u32 rule_id, __u16 flags,
				      __u16 rev_nat_index, __u64 now)
{
	struct gw_ct_value nv = {
		.created_ns = now,
		.last_seen_ns = now,
		.packets_fwd = 1,
		.rule_id = rule_id,
		.flags = flags,
		.rev_nat_index = rev_nat_index,
	};

	if (p->tcp_flags & TCP_FLAG_RST)
		nv.flags |= GW_CT_RST;
	if (p->tcp_flags & TCP_FLAG_FIN)
		nv.flags |= GW_CT_FWD_FIN;
	nv.lifetime_s = ct_lifetime(p->protocol, nv.flags);
	bpf_map_update_elem(&gw_ct, k, &nv, BPF_ANY);
}

#endif
