/* Load balancing (kube-proxy replacement): service lookup, backend choice
 * (session affinity, Maglev or random), DNAT of new and tracked connections
 * and reverse NAT of their replies. */
#ifndef GW_LIB_LB_H
#define GW_LIB_LB_H

#include "lib/common.h"
#include "lib/conntrack.h"
#include "lib/nat.h"
#include "lib/packet.h"
#include "abi/events.h"
#include "abi/lb.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_LB_SVC_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct gw_lb_svc_key);
	__type(value, struct gw_lb_svc_value);
} gw_lb_svc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_LB_BACKEND_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct gw_lb_backend);
} gw_lb_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_LB_REVNAT_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u16);
	__type(value, struct gw_lb_revnat);
} gw_lb_revnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_LB_MAGLEV_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct gw_lb_maglev_key);
	__type(value, __u32);
} gw_lb_maglev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GW_LB_CT_MAX_ENTRIES);
	__type(key, struct gw_ct_key);
	__type(value, struct gw_lb_ct_value);
} gw_lb_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GW_LB_AFFINITY_MAX_ENTRIES);
	__type(key, struct gw_lb_affinity_key);
	__type(value, struct gw_lb_affinity_value);
} gw_lb_affinity SEC(".maps");

/* A hash of the 5-tuple, so that Maglev maps a flow, not a packet, to a slot. */
static __always_inline __u32 flow_hash(const struct gw_pkt *p)
{
	__u32 h = p->saddr * 0x9e3779b1;

	h ^= p->daddr + 0x7f4a7c15 + (h << 6) + (h >> 2);
	h ^= (((__u32)p->sport << 16) | p->dport) + 0x7f4a7c15 + (h << 6) + (h >> 2);
	h ^= p->protocol + 0x7f4a7c15 + (h << 6) + (h >> 2);
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/* A reply of a translated connection: its source becomes the frontend again. */
static __always_inline int lb_revnat(struct __sk_buff *skb, const struct gw_pkt *p, __u16 index)
{
	struct gw_lb_revnat *rn = bpf_map_lookup_elem(&gw_lb_revnat, &index);

	if (!rn || !p->l4_off)
		return 0;
	return nat_rewrite(skb, p, false, rn->addr, rn->port);
}

/* The backend a client is pinned to by session affinity, if still usable. */
static __always_inline __u32 lb_affinity(const struct gw_lb_svc_value *master, const struct gw_pkt *p, __u64 now)
{
	struct gw_lb_affinity_key ak = { .client = p->saddr, .rev_nat_index = master->rev_nat_index };
	struct gw_lb_affinity_value *av = bpf_map_lookup_elem(&gw_lb_affinity, &ak);
	struct gw_lb_backend *be;
	__u32 id;

	if (!av || av->last_used_ns + (__u64)master->affinity_timeout_s * NSEC_PER_SEC < now)
		return 0;
	id = av->backend_id;
	be = bpf_map_lookup_elem(&gw_lb_backends, &id);
	return be && be->state == GW_BACKEND_ACTIVE ? id : 0;
}

static __always_inline void lb_affinity_update(const struct gw_lb_svc_value *master, const struct gw_pkt *p,
					       __u32 id, __u64 now)
{
	struct gw_lb_affinity_key ak = { .client = p->saddr, .rev_nat_index = master->rev_nat_index };
	struct gw_lb_affinity_value av = { .last_used_ns = now, .backend_id = id };

	bpf_map_update_elem(&gw_lb_affinity, &ak, &av, BPF_ANY);
}

/* A backend for a new connection: Maglev over the 5-tuple hash, or a random
 * slot (also while a Maglev table is not written yet). */
static __always_inline __u32 lb_pick(const struct gw_lb_svc_key *mk, const struct gw_lb_svc_value *master,
				     const struct gw_pkt *p)
{
	struct gw_lb_maglev_key mgk = { .rev_nat_index = master->rev_nat_index, .slot = GW_MAGLEV_SIZE_SLOT };
	struct gw_lb_svc_key sk = *mk;
	struct gw_lb_svc_value *slot;
	__u32 *size, *id;

	if (master->algorithm == GW_LB_ALG_MAGLEV) {
		size = bpf_map_lookup_elem(&gw_lb_maglev, &mgk);
		if (size && *size) {
			mgk.slot = flow_hash(p) % *size;
			id = bpf_map_lookup_elem(&gw_lb_maglev, &mgk);
			if (id && *id)
				return *id;
		}
	}
	sk.slot = (bpf_get_prandom_u32() % master->count) + 1;
	slot = bpf_map_lookup_elem(&gw_lb_svc, &sk);
	return slot ? slot->backend_id : 0;
}

/* The load balancer's choice for a connection holds while the conntrack entry of its translated tuple lives. */
static __always_inline bool lb_ct_live(const struct gw_pkt *p, const struct gw_lb_ct_value *lc, __u16 ep,
				       enum gw_dir dir, __u64 now)
{
	struct gw_ct_key k = {
		.saddr = p->saddr, .daddr = lc->backend_addr, .sport = p->sport, .dport = lc->backend_port,
		.endpoint_id = ep, .protocol = p->protocol, .direction = dir,
	};

	return ct_lookup_live(&k, now) != NULL;
}

/* Chooses the backend of a new connection into *lc. Returns 0, or the drop reason. */
static __always_inline enum gw_reason lb_select(const struct gw_lb_svc_key *mk, const struct gw_lb_svc_value *master,
						const struct gw_pkt *p, __u64 now, struct gw_lb_ct_value *lc)
{
	struct gw_lb_backend *be;
	__u32 id = 0;

	if (master->count == 0)
		return GW_REASON_LB_NO_BACKEND;
	if (master->affinity_timeout_s)
		id = lb_affinity(master, p, now);
	if (!id)
		id = lb_pick(mk, master, p);
	be = bpf_map_lookup_elem(&gw_lb_backends, &id);
	if (!be)
		return GW_REASON_LB_BACKEND_MISSING;
	if (master->affinity_timeout_s)
		lb_affinity_update(master, p, id, now);
	lc->backend_addr = be->addr;
	lc->backend_port = be->port;
	lc->rev_nat_index = master->rev_nat_index;
	lc->backend_id = id;
	return GW_REASON_UNSPEC;
}

struct lb_result {
	enum gw_reason reason; /* why a packet is dropped */
	__u16 rev_nat_index;   /* 0 = not translated */
	__u8 type;             /* enum gw_lb_type of the frontend, when translated */
	__u8 flags;            /* enum gw_lb_flags of the frontend, when translated */
};

static __always_inline bool lb_protocol(const struct gw_pkt *p)
{
	return p->l4_off && (p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP || p->protocol == IPPROTO_SCTP);
}

/* DNAT of a packet to a frontend. Returns 0 when it is not to a service,
 * 1 when translated (p now holds the backend), -1 to drop (res->reason).
 * From outside (the node device) ClusterIP frontends are not served. */
static __always_inline int lb_translate(struct __sk_buff *skb, struct gw_pkt *p, __u16 ep, enum gw_dir dir,
					bool outside, __u64 now, struct lb_result *res)
{
	struct gw_lb_svc_key mk = { .addr = p->daddr, .dport = p->dport, .protocol = p->protocol };
	struct gw_ct_key lk = ct_key(p, ep, dir, false);
	struct gw_lb_svc_value *master;
	struct gw_lb_ct_value *lc, nlc = {};

	if (!lb_protocol(p))
		return 0;
	master = bpf_map_lookup_elem(&gw_lb_svc, &mk);
	if (!master || (outside && master->type == GW_LB_TYPE_CLUSTER_IP))
		return 0;
	lc = bpf_map_lookup_elem(&gw_lb_ct, &lk);
	if (lc && lb_ct_live(p, lc, ep, dir, now)) {
		nlc = *lc;
	} else {
		res->reason = lb_select(&mk, master, p, now, &nlc);
		if (res->reason != GW_REASON_UNSPEC)
			return -1;
		bpf_map_update_elem(&gw_lb_ct, &lk, &nlc, BPF_ANY);
	}
	if (nat_rewrite(skb, p, true, nlc.backend_addr, nlc.backend_port) < 0) {
		res->reason = GW_REASON_MALFORMED;
		return -1;
	}
	p->daddr = nlc.backend_addr;
	p->dport = nlc.backend_port;
	p->policy_port = nlc.backend_port;
	res->rev_nat_index = nlc.rev_nat_index;
	res->type = master->type;
	res->flags = master->flags;
	return 1;
}

#endif
