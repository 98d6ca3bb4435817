// SPDX-License-Identifier: GPL-2.0
/* gitwire's endpoint program. Attached to the HOST side of an endpoint's
 * veth: gw_from_endpoint on the device's ingress hook (packets leaving the
 * workload, its egress direction), gw_to_endpoint on the device's egress hook
 * (packets going to the workload, its ingress direction). The same object
 * carries the node-device programs for NodePort and ExternalIP traffic from
 * outside: gw_from_netdev (ingress) and gw_to_netdev (egress).
 * IPv4 is policed; non-IP (ARP) passes; IPv6 is dropped with its own reason
 * so that it can never bypass policy until it is supported. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common.h"
#include "config.h"
#include "conntrack.h"
#include "endpoint.h"
#include "events.h"
#include "ipcache.h"
#include "lb.h"
#include "policy.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct gw_config gw_config = {
	.ct_lifetime_tcp = 21600,
	.ct_lifetime_nontcp = 60,
	.ct_lifetime_syn = 60,
	.ct_lifetime_close = 10,
	.event_rate = 1000,
	.event_burst = 200,
	.flags = GW_CFG_VERDICT_EVENTS | GW_CFG_POLICY_CACHE,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_ENDPOINT_MAX_ENTRIES);
	__type(key, struct gw_endpoint_key);
	__type(value, struct gw_endpoint_value);
} gw_endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, GW_IPCACHE_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct gw_ipcache_key);
	__type(value, struct gw_ipcache_value);
} gw_ipcache SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GW_CT_MAX_ENTRIES);
	__type(key, struct gw_ct_key);
	__type(value, struct gw_ct_value);
} gw_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GW_REASON_MAX);
	__type(key, __u32);
	__type(value, struct gw_counter);
} gw_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gw_event_budget);
} gw_event_budget SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, GW_EVENTS_RINGBUF_SIZE);
} gw_events SEC(".maps");

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

/* Events are written field by field into ring-buffer memory, so clang would
 * not emit their type; this unused pointer keeps struct gw_event in the BTF
 * that tests/datapath/bpf-layout.test.ts checks the codec against. */
struct gw_event *gw_event_btf_anchor __attribute__((unused));

/* What one packet is, parsed once. */
struct gw_pkt {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;       /* conntrack tuple ports */
	__be16 dport;
	__be16 policy_port; /* destination port, or ICMP type */
	__u8 protocol;
	__u8 tcp_flags;
	__u32 len;
	__u16 l4_off;       /* 0 = no L4 header (non-first fragment) */
};

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

static __always_inline void count(__u32 reason, __u32 len)
{
	struct gw_counter *c = bpf_map_lookup_elem(&gw_counters, &reason);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

/* Token bucket: refills event_rate tokens per second up to event_burst. */
static __always_inline bool event_allowed(__u64 now)
{
	__u32 zero = 0;
	struct gw_event_budget *b = bpf_map_lookup_elem(&gw_event_budget, &zero);
	__u64 elapsed, add;

	if (!b || gw_config.event_burst == 0)
		return false;
	elapsed = now - b->last_ns;
	if (elapsed >= 1000000000ULL) {
		b->tokens = gw_config.event_burst;
		b->last_ns = now;
	} else {
		add = elapsed * gw_config.event_rate / 1000000000ULL;
		if (add) {
			b->tokens += add;
			if (b->tokens > gw_config.event_burst)
				b->tokens = gw_config.event_burst;
			b->last_ns = now;
		}
	}
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}

static __always_inline void emit(struct __sk_buff *skb, const struct gw_pkt *p, __u8 type, __u8 reason,
				 __u8 dir, const struct gw_endpoint_value *ep, __u32 peer,
				 const struct gw_policy_value *pv, __u64 now)
{
	struct gw_event *e;

	if (!event_allowed(now)) {
		count(GW_REASON_EVENT_SUPPRESSED, 0);
		return;
	}
	e = bpf_ringbuf_reserve(&gw_events, sizeof(*e), 0);
	if (!e) {
		count(GW_REASON_EVENT_LOST, 0);
		return;
	}
	e->timestamp_ns = now;
	e->src_identity = dir == GW_DIR_EGRESS ? ep->identity : peer;
	e->dst_identity = dir == GW_DIR_EGRESS ? peer : ep->identity;
	e->saddr = p->saddr;
	e->daddr = p->daddr;
	e->sport = p->sport;
	e->dport = p->policy_port;
	e->rule_id = pv ? pv->rule_id : 0;
	e->ifindex = skb->ifindex;
	e->endpoint_id = ep->endpoint_id;
	e->pkt_len = p->len > 0xffff ? 0xffff : p->len;
	e->type = type;
	e->reason = reason;
	e->direction = dir;
	e->protocol = p->protocol;
	e->verdict = pv ? pv->verdict : GW_VERDICT_NONE;
	e->pad0[0] = 0;
	e->pad0[1] = 0;
	e->pad0[2] = 0;
	bpf_ringbuf_submit(e, 0);
}

/* Returns 1 for IPv4 parsed, 0 for not IP, -1 for malformed, -2 for IPv6. */
static __always_inline int parse(struct __sk_buff *skb, struct gw_pkt *p)
{
	__be16 proto;
	struct iphdr ip;
	__u8 l4[14];
	__u32 off;

	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)) < 0)
		return 0;
	if (proto == bpf_htons(ETH_P_IPV6))
		return -2;
	if (proto != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0 || ip.ihl < 5)
		return -1;
	p->saddr = ip.saddr;
	p->daddr = ip.daddr;
	p->protocol = ip.protocol;
	p->len = skb->len;
	/* A non-first fragment has no L4 header: it is looked up with port 0. */
	if (ip.frag_off & bpf_htons(0x1fff))
		return 1;
	off = ETH_HLEN + ip.ihl * 4;
	p->l4_off = off;
	switch (ip.protocol) {
	case IPPROTO_TCP:
		if (bpf_skb_load_bytes(skb, off, l4, 14) < 0)
			return -1;
		p->tcp_flags = l4[13];
		/* fallthrough */
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (bpf_skb_load_bytes(skb, off, l4, 4) < 0)
			return -1;
		p->sport = *(__be16 *)&l4[0];
		p->dport = *(__be16 *)&l4[2];
		p->policy_port = p->dport;
		break;
	case IPPROTO_ICMP:
		if (bpf_skb_load_bytes(skb, off, l4, 8) < 0)
			return -1;
		p->policy_port = bpf_htons(l4[0]);
		/* Echo request and reply share a tuple: identifier on the requester's side. */
		if (l4[0] == ICMP_ECHO)
			p->sport = *(__be16 *)&l4[4];
		else if (l4[0] == ICMP_ECHOREPLY)
			p->dport = *(__be16 *)&l4[4];
		break;
	}
	return 1;
}

static __always_inline __u32 peer_identity(__be32 addr)
{
	struct gw_ipcache_key k = { .prefixlen = 32, .addr = addr };
	struct gw_ipcache_value *v = bpf_map_lookup_elem(&gw_ipcache, &k);

	return v ? v->identity : GW_IDENTITY_WORLD;
}

static __always_inline struct gw_policy_value *policy_lookup(__u16 ep, __u8 dir, __u32 identity, const struct gw_pkt *p)
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
static __always_inline struct gw_policy_value policy_decide(__u16 ep, __u8 dir, __u32 peer, const struct gw_pkt *p)
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

static __always_inline struct gw_policy_value policy_verdict(__u16 ep, __u8 dir, __u32 peer, const struct gw_pkt *p)
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

static __always_inline bool ct_live(struct gw_ct_value *ct, __u64 now)
{
	return ct->last_seen_ns + (__u64)ct->lifetime_s * 1000000000ULL >= now;
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

/* The datapath's own endpoint id for connections that enter through the node
 * device (NodePort, ExternalIP from outside): ids of real endpoints start at 1. */
#define GW_NETDEV_ENDPOINT 0

#ifndef offsetof
#define offsetof(t, m) __builtin_offsetof(t, m)
#endif

static __always_inline void ct_create(struct gw_ct_key *k, const struct gw_pkt *p, __u32 rule_id, __u16 flags,
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

/* Rewrites the destination (or source) address and port, fixing the IPv4
 * and L4 checksums; SCTP's CRC32c covers no address and is left alone. */
static __always_inline int nat_rewrite(struct __sk_buff *skb, const struct gw_pkt *p, bool dst, __be32 addr, __be16 port)
{
	__be32 old_addr = dst ? p->daddr : p->saddr;
	__be16 old_port = dst ? p->dport : p->sport;
	__u32 csum_off = 0;
	__u64 mangled = 0;

	if (p->protocol == IPPROTO_TCP) {
		csum_off = p->l4_off + 16;
	} else if (p->protocol == IPPROTO_UDP) {
		csum_off = p->l4_off + 6;
		mangled = BPF_F_MARK_MANGLED_0; /* a UDP checksum of 0 means none: keep it 0 */
	}
	if (csum_off) {
		if (bpf_l4_csum_replace(skb, csum_off, old_addr, addr, BPF_F_PSEUDO_HDR | mangled | sizeof(addr)) < 0)
			return -1;
		if (bpf_l4_csum_replace(skb, csum_off, old_port, port, mangled | sizeof(port)) < 0)
			return -1;
	}
	if (bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), old_addr, addr, sizeof(addr)) < 0)
		return -1;
	if (bpf_skb_store_bytes(skb, ETH_HLEN + (dst ? offsetof(struct iphdr, daddr) : offsetof(struct iphdr, saddr)),
				&addr, sizeof(addr), 0) < 0)
		return -1;
	if (bpf_skb_store_bytes(skb, p->l4_off + (dst ? 2 : 0), &port, sizeof(port), 0) < 0)
		return -1;
	return 0;
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

	if (!av || av->last_used_ns + (__u64)master->affinity_timeout_s * 1000000000ULL < now)
		return 0;
	id = av->backend_id;
	be = bpf_map_lookup_elem(&gw_lb_backends, &id);
	return be && be->state == GW_BACKEND_ACTIVE ? id : 0;
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
static __always_inline bool lb_ct_live(const struct gw_pkt *p, const struct gw_lb_ct_value *lc, __u16 ep, __u8 dir,
				       __u64 now)
{
	struct gw_ct_key k = {
		.saddr = p->saddr, .daddr = lc->backend_addr, .sport = p->sport, .dport = lc->backend_port,
		.endpoint_id = ep, .protocol = p->protocol, .direction = dir,
	};
	struct gw_ct_value *ct = bpf_map_lookup_elem(&gw_ct, &k);

	return ct && ct_live(ct, now);
}

struct lb_result {
	__u32 reason;        /* why a packet is dropped */
	__u16 rev_nat_index; /* 0 = not translated */
};

/* DNAT of a packet to a frontend. Returns 0 when it is not to a service,
 * 1 when translated (p now holds the backend), -1 to drop (res->reason). */
static __always_inline int lb_translate(struct __sk_buff *skb, struct gw_pkt *p, __u16 ep, __u8 dir, bool outside,
					__u64 now, struct lb_result *res)
{
	struct gw_lb_svc_key mk = { .addr = p->daddr, .dport = p->dport, .protocol = p->protocol };
	struct gw_lb_svc_value *master;
	struct gw_lb_ct_value *lc, nlc = {};
	struct gw_lb_backend *be;
	struct gw_ct_key lk;
	__u32 id = 0;

	if (!p->l4_off || (p->protocol != IPPROTO_TCP && p->protocol != IPPROTO_UDP && p->protocol != IPPROTO_SCTP))
		return 0;
	master = bpf_map_lookup_elem(&gw_lb_svc, &mk);
	if (!master || (outside && master->type == GW_LB_TYPE_CLUSTER_IP))
		return 0;
	lk = (struct gw_ct_key){
		.saddr = p->saddr, .daddr = p->daddr, .sport = p->sport, .dport = p->dport,
		.endpoint_id = ep, .protocol = p->protocol, .direction = dir,
	};
	lc = bpf_map_lookup_elem(&gw_lb_ct, &lk);
	if (lc && lb_ct_live(p, lc, ep, dir, now)) {
		nlc = *lc;
	} else {
		if (master->count == 0) {
			res->reason = GW_REASON_LB_NO_BACKEND;
			return -1;
		}
		if (master->affinity_timeout_s)
			id = lb_affinity(master, p, now);
		if (!id)
			id = lb_pick(&mk, master, p);
		be = bpf_map_lookup_elem(&gw_lb_backends, &id);
		if (!be) {
			res->reason = GW_REASON_LB_BACKEND_MISSING;
			return -1;
		}
		if (master->affinity_timeout_s) {
			struct gw_lb_affinity_key ak = { .client = p->saddr, .rev_nat_index = master->rev_nat_index };
			struct gw_lb_affinity_value av = { .last_used_ns = now, .backend_id = id };

			bpf_map_update_elem(&gw_lb_affinity, &ak, &av, BPF_ANY);
		}
		nlc.backend_addr = be->addr;
		nlc.backend_port = be->port;
		nlc.rev_nat_index = master->rev_nat_index;
		nlc.backend_id = id;
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
	return 1;
}

static __always_inline int handle(struct __sk_buff *skb, __u8 dir)
{
	struct gw_pkt p = {};
	struct gw_endpoint_key ek;
	struct gw_endpoint_value *ep;
	struct gw_policy_value res, *pv;
	struct gw_ct_key fwd, rev;
	struct gw_ct_value *ct;
	struct lb_result lb = {};
	__u32 peer, reason;
	__u64 now;
	bool enforced, audit, established = false;
	int r;

	r = parse(skb, &p);
	if (r == 0) {
		count(GW_REASON_NOT_IP, skb->len);
		return TC_ACT_OK;
	}
	if (r == -2) {
		count(GW_REASON_IPV6, skb->len);
		return TC_ACT_SHOT;
	}
	if (r < 0) {
		count(GW_REASON_MALFORMED, skb->len);
		return TC_ACT_SHOT;
	}

	ek.addr = dir == GW_DIR_EGRESS ? p.saddr : p.daddr;
	ep = bpf_map_lookup_elem(&gw_endpoints, &ek);
	if (!ep) {
		count(GW_REASON_NO_ENDPOINT, p.len);
		return TC_ACT_OK;
	}
	if (dir == GW_DIR_EGRESS && ep->ifindex && ep->ifindex != skb->ifindex) {
		count(GW_REASON_INVALID_SOURCE, p.len);
		return TC_ACT_SHOT;
	}
	now = bpf_ktime_get_ns();

	/* Service translation comes first, so conntrack and policy see the backend. */
	if (dir == GW_DIR_EGRESS && lb_translate(skb, &p, ep->endpoint_id, dir, false, now, &lb) < 0) {
		count(lb.reason, p.len);
		emit(skb, &p, GW_EVENT_DROP, lb.reason, dir, ep, GW_IDENTITY_UNKNOWN, NULL, now);
		return TC_ACT_SHOT;
	}

	fwd = (struct gw_ct_key){
		.saddr = p.saddr, .daddr = p.daddr, .sport = p.sport, .dport = p.dport,
		.endpoint_id = ep->endpoint_id, .protocol = p.protocol, .direction = dir,
	};
	ct = bpf_map_lookup_elem(&gw_ct, &fwd);
	if (ct && !ct_live(ct, now)) {
		bpf_map_delete_elem(&gw_ct, &fwd);
		ct = NULL;
	}
	if (ct) {
		established = true;
	} else {
		rev = (struct gw_ct_key){
			.saddr = p.daddr, .daddr = p.saddr, .sport = p.dport, .dport = p.sport,
			.endpoint_id = ep->endpoint_id, .protocol = p.protocol, .direction = !dir,
		};
		ct = bpf_map_lookup_elem(&gw_ct, &rev);
		if (ct && ct_live(ct, now)) {
			ct_touch(ct, &p, true, now);
			if (ct->rev_nat_index && lb_revnat(skb, &p, ct->rev_nat_index) < 0) {
				count(GW_REASON_MALFORMED, p.len);
				return TC_ACT_SHOT;
			}
			count(GW_REASON_CT_REPLY, p.len);
			return TC_ACT_OK;
		}
	}

	/* New and established connections are both policed, so a policy change
	 * also cuts connections it no longer allows; replies are not. */
	peer = peer_identity(dir == GW_DIR_EGRESS ? p.daddr : p.saddr);
	res = policy_verdict(ep->endpoint_id, dir, peer, &p);
	pv = res.verdict != GW_VERDICT_NONE ? &res : NULL;

	enforced = ep->flags & (dir == GW_DIR_EGRESS ? GW_EP_ENFORCE_EGRESS : GW_EP_ENFORCE_INGRESS);
	audit = ep->flags & GW_EP_AUDIT;
	if (pv && pv->verdict == GW_VERDICT_DENY)
		reason = GW_REASON_DENIED_POLICY;
	else if (pv && pv->verdict == GW_VERDICT_REDIRECT)
		reason = GW_REASON_REDIRECT;
	else if (pv)
		reason = GW_REASON_ALLOWED;
	else if (enforced)
		reason = GW_REASON_DENIED_DEFAULT;
	else
		reason = GW_REASON_NOT_ENFORCED;

	if (reason == GW_REASON_DENIED_POLICY || reason == GW_REASON_DENIED_DEFAULT) {
		if (!audit) {
			count(reason, p.len);
			if (!established)
				emit(skb, &p, GW_EVENT_DROP, reason, dir, ep, peer, pv, now);
			return TC_ACT_SHOT;
		}
		if (!established)
			emit(skb, &p, GW_EVENT_AUDIT, reason, dir, ep, peer, pv, now);
		reason = GW_REASON_AUDIT;
	} else if (!established && (gw_config.flags & GW_CFG_VERDICT_EVENTS) && reason != GW_REASON_NOT_ENFORCED) {
		emit(skb, &p, GW_EVENT_VERDICT, reason, dir, ep, peer, pv, now);
	}
	count(reason, p.len);

	if (established) {
		ct_touch(ct, &p, false, now);
	} else {
		ct_create(&fwd, &p, pv ? pv->rule_id : 0, reason == GW_REASON_AUDIT ? GW_CT_AUDIT : 0, lb.rev_nat_index,
			  now);
	}
	if (reason == GW_REASON_REDIRECT)
		/* Cilium's to-proxy mark: magic 0x0200 with the proxy port in the upper half. */
		skb->mark = ((__u32)res.proxy_port << 16) | 0x0200;
	return TC_ACT_OK;
}

SEC("tc")
int gw_from_endpoint(struct __sk_buff *skb)
{
	return handle(skb, GW_DIR_EGRESS);
}

SEC("tc")
int gw_to_endpoint(struct __sk_buff *skb)
{
	return handle(skb, GW_DIR_INGRESS);
}

/* The node's external device, inbound: NodePort and ExternalIP frontends are
 * translated here; the backend's own endpoint program polices the result. */
SEC("tc")
int gw_from_netdev(struct __sk_buff *skb)
{
	struct gw_pkt p = {};
	struct lb_result lb = {};
	struct gw_ct_key fwd;
	struct gw_ct_value *ct;
	__u64 now;
	int r;

	if (parse(skb, &p) != 1)
		return TC_ACT_OK;
	now = bpf_ktime_get_ns();
	r = lb_translate(skb, &p, GW_NETDEV_ENDPOINT, GW_DIR_INGRESS, true, now, &lb);
	if (r == 0)
		return TC_ACT_OK;
	if (r < 0) {
		count(lb.reason, p.len);
		return TC_ACT_SHOT;
	}
	fwd = (struct gw_ct_key){
		.saddr = p.saddr, .daddr = p.daddr, .sport = p.sport, .dport = p.dport,
		.endpoint_id = GW_NETDEV_ENDPOINT, .protocol = p.protocol, .direction = GW_DIR_INGRESS,
	};
	ct = bpf_map_lookup_elem(&gw_ct, &fwd);
	if (ct && ct_live(ct, now))
		ct_touch(ct, &p, false, now);
	else
		ct_create(&fwd, &p, 0, 0, lb.rev_nat_index, now);
	count(GW_REASON_LB_NODEPORT, p.len);
	return TC_ACT_OK;
}

/* The node's external device, outbound: replies of translated connections
 * leave with the frontend as their source. Everything else passes untouched. */
SEC("tc")
int gw_to_netdev(struct __sk_buff *skb)
{
	struct gw_pkt p = {};
	struct gw_ct_key rev;
	struct gw_ct_value *ct;
	__u64 now;

	if (parse(skb, &p) != 1)
		return TC_ACT_OK;
	now = bpf_ktime_get_ns();
	rev = (struct gw_ct_key){
		.saddr = p.daddr, .daddr = p.saddr, .sport = p.dport, .dport = p.sport,
		.endpoint_id = GW_NETDEV_ENDPOINT, .protocol = p.protocol, .direction = GW_DIR_INGRESS,
	};
	ct = bpf_map_lookup_elem(&gw_ct, &rev);
	if (!ct || !ct->rev_nat_index || !ct_live(ct, now))
		return TC_ACT_OK;
	ct_touch(ct, &p, true, now);
	if (lb_revnat(skb, &p, ct->rev_nat_index) < 0) {
		count(GW_REASON_MALFORMED, p.len);
		return TC_ACT_SHOT;
	}
	count(GW_REASON_LB_NODEPORT_REPLY, p.len);
	return TC_ACT_OK;
}
