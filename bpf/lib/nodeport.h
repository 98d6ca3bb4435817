/* NodePort to a backend on another node (SNAT to the node's address, the
 * reply reverse-translated on its way back) and hairpin (a backend given its
 * own connection sees it come from GW_HAIRPIN_ADDR). Both rewrite the source,
 * so the rewritten packet would be a martian to the kernel's routing (a
 * source that is the node's own address, or one no route leads back to):
 * it goes straight to its device through the FIB instead, as Cilium does. */
#ifndef GW_LIB_NODEPORT_H
#define GW_LIB_NODEPORT_H

#include "lib/common.h"
#include "lib/conntrack.h"
#include "lib/endpoint.h"
#include "lib/lb.h"
#include "lib/nat.h"
#include "lib/packet.h"
#include "abi/nodeport.h"

#define GW_AF_INET 2
#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif
#define GW_SNAT_TRIES 8

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GW_SNAT_MAX_ENTRIES);
	__type(key, struct gw_snat_key);
	__type(value, struct gw_snat_value);
} gw_snat SEC(".maps");

static __always_inline struct gw_snat_key snat_key(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
						   __u8 protocol, enum gw_snat_dir dir)
{
	struct gw_snat_key k = {
		.saddr = saddr, .daddr = daddr, .sport = sport, .dport = dport, .protocol = protocol, .dir = dir,
	};

	return k;
}

static __always_inline bool backend_is_local(__be32 addr)
{
	struct gw_endpoint_key k = { .addr = addr };

	return bpf_map_lookup_elem(&gw_endpoints, &k) != NULL;
}

/* The address and port a new connection leaves with: the client's own port
 * when no other connection to that backend holds it, else a random one. */
static __always_inline int snat_alloc(const struct gw_pkt *p, __be32 nat_addr, __u16 rev_nat_index, __u64 now,
				      struct gw_snat_value *out)
{
	struct gw_snat_key ok = snat_key(p->saddr, p->daddr, p->sport, p->dport, p->protocol, GW_SNAT_OUT);
	struct gw_snat_value in = { .addr = p->saddr, .port = p->sport, .rev_nat_index = rev_nat_index, .created_ns = now };
	struct gw_snat_key ik = snat_key(p->daddr, nat_addr, p->dport, p->sport, p->protocol, GW_SNAT_IN);
	struct gw_snat_value *v = bpf_map_lookup_elem(&gw_snat, &ok);
	int i;

	if (v) {
		*out = *v;
		return 0;
	}
	for (i = 0; i < GW_SNAT_TRIES; i++) {
		if (bpf_map_update_elem(&gw_snat, &ik, &in, BPF_NOEXIST) == 0) {
			out->addr = nat_addr;
			out->port = ik.dport;
			out->rev_nat_index = rev_nat_index;
			out->created_ns = now;
			return bpf_map_update_elem(&gw_snat, &ok, out, BPF_ANY);
		}
		ik.dport = bpf_htons(GW_SNAT_PORT_MIN + bpf_get_prandom_u32() % (GW_SNAT_PORT_MAX - GW_SNAT_PORT_MIN + 1));
	}
	return -1;
}

/* Sends the packet out of the device the FIB names for its destination, with
 * that hop's addresses, bypassing the routing input a rewritten source fails. */
static __always_inline int fib_redirect(struct __sk_buff *skb, const struct gw_pkt *p)
{
	struct bpf_fib_lookup fib = {
		.family = GW_AF_INET,
		.l4_protocol = p->protocol,
		.ipv4_src = p->saddr,
		.ipv4_dst = p->daddr,
		.ifindex = skb->ifindex,
	};
	int rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);

	/* A local destination (the reply of the node's own connection to a service) goes up the stack. */
	if (rc == BPF_FIB_LKUP_RET_NOT_FWDED)
		return TC_ACT_OK;
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return bpf_redirect_neigh(fib.ifindex, NULL, 0, 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, 0, fib.dmac, ETH_ALEN, 0) < 0 ||
	    bpf_skb_store_bytes(skb, ETH_ALEN, fib.smac, ETH_ALEN, 0) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(fib.ifindex, 0);
}

/* The address this node sends from towards addr (the FIB's source choice):
 * an ExternalIP frontend is not the node's own address. 0 when there is none. */
static __always_inline __be32 fib_source(struct __sk_buff *skb, __be32 addr)
{
	struct bpf_fib_lookup fib = { .family = GW_AF_INET, .ipv4_dst = addr, .ifindex = skb->ifindex };

	if (bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_SRC) != BPF_FIB_LKUP_RET_SUCCESS)
		return 0;
	return fib.ipv4_src;
}

/* A NodePort or ExternalIP request translated to a backend on another node
 * leaves with the node's address as its source, so the reply comes back here. */
static __always_inline int nodeport_snat(struct __sk_buff *skb, struct gw_pkt *p, __be32 node_addr,
					 __u16 rev_nat_index, __u64 now)
{
	struct gw_snat_value out;

	if (snat_alloc(p, node_addr, rev_nat_index, now, &out) < 0)
		return TC_ACT_SHOT;
	if (nat_rewrite(skb, p, false, out.addr, out.port) < 0)
		return TC_ACT_SHOT;
	p->saddr = out.addr;
	p->sport = out.port;
	return fib_redirect(skb, p);
}

/* A reply to a SNATed connection gets the client back as its destination.
 * Returns 1 when it was one, 0 when not, -1 on a rewrite failure. */
static __always_inline int nodeport_rev_snat(struct __sk_buff *skb, struct gw_pkt *p)
{
	struct gw_snat_key ik = snat_key(p->saddr, p->daddr, p->sport, p->dport, p->protocol, GW_SNAT_IN);
	struct gw_snat_value *in;

	if (!lb_protocol(p))
		return 0;
	in = bpf_map_lookup_elem(&gw_snat, &ik);
	if (!in)
		return 0;
	if (nat_rewrite(skb, p, true, in->addr, in->port) < 0)
		return -1;
	p->daddr = in->addr;
	p->dport = in->port;
	return 1;
}

/* Source and destination MACs swapped: the packet goes back to the workload it came from. */
static __always_inline int swap_macs(struct __sk_buff *skb)
{
	__u8 macs[2 * ETH_ALEN];

	if (bpf_skb_load_bytes(skb, 0, macs, sizeof(macs)) < 0)
		return -1;
	if (bpf_skb_store_bytes(skb, 0, macs + ETH_ALEN, ETH_ALEN, 0) < 0 ||
	    bpf_skb_store_bytes(skb, ETH_ALEN, macs, ETH_ALEN, 0) < 0)
		return -1;
	return 0;
}

/* A connection's entry under another of its tuples, created or kept alive. */
static __always_inline void ct_track(const struct gw_ct_key *k, const struct gw_pkt *p, __u64 now)
{
	struct gw_ct_value *ct = ct_lookup_live(k, now);

	if (ct)
		ct_touch(ct, p, false, now);
	else
		ct_create(k, p, 0, 0, 0, now);
}

/* A backend picked for its own connection: the source becomes the hairpin
 * address and the reply's way back is recorded. p holds the translated tuple. */
static __always_inline int hairpin_snat(struct __sk_buff *skb, struct gw_pkt *p, __u16 rev_nat_index, __u64 now)
{
	__be32 hairpin = bpf_htonl(GW_HAIRPIN_ADDR);
	struct gw_snat_key ik = snat_key(p->daddr, hairpin, p->dport, p->sport, p->protocol, GW_SNAT_IN);
	struct gw_snat_value in = { .addr = p->saddr, .port = p->sport, .rev_nat_index = rev_nat_index, .created_ns = now };

	if (bpf_map_update_elem(&gw_snat, &ik, &in, BPF_ANY) < 0)
		return -1;
	if (nat_rewrite(skb, p, false, hairpin, p->sport) < 0)
		return -1;
	p->saddr = hairpin;
	return 0;
}

/* The hairpin connection's reply: back to the workload, from the frontend. */
static __always_inline int hairpin_reply(struct __sk_buff *skb, struct gw_pkt *p, __u16 rev_nat_index)
{
	if (lb_revnat(skb, p, rev_nat_index) < 0 || swap_macs(skb) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(skb->ifindex, 0);
}

#endif
