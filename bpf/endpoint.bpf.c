// SPDX-License-Identifier: GPL-2.0
/* gitwire's endpoint object: programs composed of the concerns in lib/.
 * gw_from_endpoint and gw_to_endpoint are attached to the HOST side of an
 * endpoint's veth: on the device's ingress hook (packets leaving the
 * workload, its egress direction) and its egress hook (packets going to the
 * workload, its ingress direction). gw_from_netdev and gw_to_netdev serve
 * NodePort and ExternalIP traffic from outside on the node's device.
 * IPv4 is policed; non-IP (ARP) passes; IPv6 is dropped with its own reason
 * so that it can never bypass policy until it is supported. */
#include "lib/common.h"
#include "lib/btf-anchors.h"
#include "lib/config.h"
#include "lib/conntrack.h"
#include "lib/dsr.h"
#include "lib/encap.h"
#include "lib/endpoint.h"
#include "lib/events.h"
#include "lib/ipcache.h"
#include "lib/lb.h"
#include "lib/nodeport.h"
#include "lib/packet.h"
#include "lib/policy.h"
#include "lib/proxy.h"

char LICENSE[] SEC("license") = "GPL";

/* Counts what is not IPv4 and decides its fate; GW_CONTINUE for IPv4. */
static __always_inline int parse_or_pass(struct __sk_buff *skb, struct gw_pkt *p)
{
	switch (parse(skb, p)) {
	case GW_PARSE_IPV4:
		return GW_CONTINUE;
	case GW_PARSE_NOT_IP:
		count(GW_REASON_NOT_IP, skb->len);
		return TC_ACT_OK;
	case GW_PARSE_IPV6:
		count(GW_REASON_IPV6, skb->len);
		return TC_ACT_SHOT;
	default:
		count(GW_REASON_MALFORMED, skb->len);
		return TC_ACT_SHOT;
	}
}

/* A reply of a tracked connection passes without a policy lookup, reverse-NATed
 * if its connection was translated. GW_CONTINUE when p is no reply. */
static __always_inline int pass_reply(struct __sk_buff *skb, const struct gw_pkt *p, __u16 ep, enum gw_dir dir,
				      __u64 now)
{
	struct gw_ct_key rev = ct_key(p, ep, !dir, true);
	struct gw_ct_value *ct = ct_lookup_live(&rev, now);

	if (!ct)
		return GW_CONTINUE;
	ct_touch(ct, p, true, now);
	if (ct->rev_nat_index && lb_revnat(skb, p, ct->rev_nat_index) < 0) {
		count(GW_REASON_MALFORMED, p->len);
		return TC_ACT_SHOT;
	}
	count(GW_REASON_CT_REPLY, p->len);
	return TC_ACT_OK;
}

/* Drops or audits a denied packet and reports new connections. Returns
 * TC_ACT_SHOT for a drop; otherwise vi->reason is what the packet counts as. */
static __always_inline int enforce(struct __sk_buff *skb, const struct gw_pkt *p, const struct gw_endpoint_value *ep,
				   struct gw_verdict_info *vi, bool established, __u64 now)
{
	if (vi->reason == GW_REASON_DENIED_POLICY || vi->reason == GW_REASON_DENIED_DEFAULT) {
		vi->type = ep->flags & GW_EP_AUDIT ? GW_EVENT_AUDIT : GW_EVENT_DROP;
		if (!established)
			emit(skb, p, ep, vi, now);
		if (vi->type == GW_EVENT_DROP) {
			count(vi->reason, p->len);
			return TC_ACT_SHOT;
		}
		vi->reason = GW_REASON_AUDIT;
	} else if (!established && (gw_config.flags & GW_CFG_VERDICT_EVENTS) && vi->reason != GW_REASON_NOT_ENFORCED) {
		vi->type = GW_EVENT_VERDICT;
		emit(skb, p, ep, vi, now);
	}
	return TC_ACT_OK;
}

/* Policy for new and established connections alike, so that a policy change
 * also cuts connections it no longer allows; then conntrack and redirect. */
static __always_inline int police(struct __sk_buff *skb, const struct gw_pkt *p, const struct gw_endpoint_value *ep,
				  enum gw_dir dir, const struct gw_ct_key *fwd, struct gw_ct_value *ct,
				  __u16 rev_nat_index, __u64 now)
{
	struct gw_verdict_info vi = { .dir = dir };
	struct gw_policy_value res = {};
	int r = TC_ACT_OK;

	/* One read of the mark: the verifier rejects a ctx pointer the compiler offset for two. */
	__u32 mark = skb->mark;

	vi.peer = dir == GW_DIR_EGRESS ? peer_identity(p->daddr) : ingress_peer_identity(mark, p->saddr);
	if (dir == GW_DIR_INGRESS && proxy_upstream(mark)) {
		/* The node's proxy forwarding a request its L7 policy allowed. */
		vi.reason = GW_REASON_FROM_PROXY;
	} else {
		res = policy_verdict(ep->endpoint_id, dir, vi.peer, p);
		vi.pv = res.verdict != GW_VERDICT_NONE ? &res : NULL;
		vi.reason = policy_reason(vi.pv, endpoint_enforced(ep, dir));
		if (enforce(skb, p, ep, &vi, ct != NULL, now) == TC_ACT_SHOT)
			return TC_ACT_SHOT;
	}
	if (vi.reason == GW_REASON_REDIRECT) {
		r = proxy_redirect(skb, p, res.proxy_port, dir);
		if (r == TC_ACT_SHOT) {
			count(GW_REASON_PROXY_UNAVAILABLE, p->len);
			return TC_ACT_SHOT;
		}
		proxy_record(p, !ct, vi.peer, ep->endpoint_id, dir);
	}
	count(vi.reason, p->len);
	if (ct)
		ct_touch(ct, p, false, now);
	else
		ct_create(fwd, p, vi.pv ? vi.pv->rule_id : 0, vi.reason == GW_REASON_AUDIT ? GW_CT_AUDIT : 0,
			  rev_nat_index, now);
	return r;
}

static __always_inline int handle(struct __sk_buff *skb, enum gw_dir dir)
{
	struct gw_pkt p = {};
	struct gw_endpoint_value *ep;
	struct lb_result lb = {};
	struct gw_snat_value hp_reply = {};
	struct gw_ct_key fwd, orig, translated;
	struct gw_ct_value *ct;
	bool hairpin = false;
	__u64 now;
	int r;

	r = parse_or_pass(skb, &p);
	if (r != GW_CONTINUE)
		return r;
	/* Policy already redirected it on this device's egress hook. */
	if (dir == GW_DIR_EGRESS && proxy_port_of(skb)) {
		r = proxy_turned_around(skb, &p);
		if (r == TC_ACT_SHOT)
			count(GW_REASON_PROXY_UNAVAILABLE, p.len);
		return r;
	}
	ep = endpoint_of(&p, dir);
	if (!ep) {
		count(GW_REASON_NO_ENDPOINT, p.len);
		return TC_ACT_OK;
	}
	if (endpoint_spoofed(ep, dir, skb->ifindex)) {
		count(GW_REASON_INVALID_SOURCE, p.len);
		return TC_ACT_SHOT;
	}
	now = bpf_ktime_get_ns();
	orig = ct_key(&p, ep->endpoint_id, dir, false);
	if (dir == GW_DIR_EGRESS && p.daddr == bpf_htonl(GW_HAIRPIN_ADDR)) {
		struct gw_snat_key ik = snat_key(p.saddr, p.daddr, p.sport, p.dport, p.protocol, GW_SNAT_IN);
		struct gw_snat_value *in = bpf_map_lookup_elem(&gw_snat, &ik);

		if (in)
			hp_reply = *in;
	}
	/* Service translation comes first, so conntrack and policy see the backend. */
	if (dir == GW_DIR_EGRESS && lb_translate(skb, &p, ep->endpoint_id, dir, false, now, &lb) < 0) {
		struct gw_verdict_info vi = { .type = GW_EVENT_DROP, .reason = lb.reason, .dir = dir };

		count(lb.reason, p.len);
		emit(skb, &p, ep, &vi, now);
		return TC_ACT_SHOT;
	}
	if (lb.rev_nat_index && p.daddr == p.saddr) {
		/* lb_translate finds the connection's backend again through this tuple. */
		translated = ct_key(&p, ep->endpoint_id, dir, false);
		if (hairpin_snat(skb, &p, lb.rev_nat_index, now) < 0) {
			count(GW_REASON_LB_NAT_FAILED, p.len);
			return TC_ACT_SHOT;
		}
		hairpin = true;
	}
	fwd = ct_key(&p, ep->endpoint_id, dir, false);
	ct = ct_lookup_or_expire(&fwd, now);
	r = GW_CONTINUE;
	if (!ct)
		r = pass_reply(skb, &p, ep->endpoint_id, dir, now);
	if (r == GW_CONTINUE)
		r = police(skb, &p, ep, dir, &fwd, ct, lb.rev_nat_index, now);
	if (r != TC_ACT_OK)
		return r;
	if (dir == GW_DIR_INGRESS)
		dsr_learn(skb, &p, now);
	if (hairpin) {
		/* The reply comes back as from the frontend: the client's own tuple tracks it. */
		ct_track(&translated, &p, now);
		ct_track(&orig, &p, now);
		if (swap_macs(skb) < 0) {
			count(GW_REASON_LB_NAT_FAILED, p.len);
			return TC_ACT_SHOT;
		}
		return bpf_redirect(skb->ifindex, 0);
	}
	if (!hp_reply.rev_nat_index && dir == GW_DIR_EGRESS) {
		/* A reply to a client a DSR load balancer sent here goes straight back, from the frontend. */
		r = dsr_reply(skb, &p);
		if (r > 0)
			r = fib_redirect(skb, &p);
		if (r < 0 || r == TC_ACT_SHOT) {
			count(GW_REASON_LB_NAT_FAILED, p.len);
			return TC_ACT_SHOT;
		}
		return r == 0 ? TC_ACT_OK : r;
	}
	if (!hp_reply.rev_nat_index)
		return TC_ACT_OK;
	r = nodeport_rev_snat(skb, &p);
	if (r > 0)
		r = hairpin_reply(skb, &p, hp_reply.rev_nat_index);
	if (r < 0 || r == TC_ACT_SHOT) {
		count(GW_REASON_LB_NAT_FAILED, p.len);
		return TC_ACT_SHOT;
	}
	return r; /* 0: the entry went meanwhile, the reply passes as it is */
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

/* Replies of translated connections leave with the frontend as their source. */
static __always_inline int netdev_revnat(struct __sk_buff *skb, const struct gw_pkt *p, __u64 now)
{
	struct gw_ct_key rev = ct_key(p, GW_NETDEV_ENDPOINT, GW_DIR_INGRESS, true);
	struct gw_ct_value *ct = ct_lookup_live(&rev, now);

	if (!ct || !ct->rev_nat_index)
		return 0;
	ct_touch(ct, p, true, now);
	if (lb_revnat(skb, p, ct->rev_nat_index) < 0) {
		count(GW_REASON_MALFORMED, p->len);
		return -1;
	}
	count(GW_REASON_LB_NODEPORT_REPLY, p->len);
	return 1;
}

/* The node's external device, inbound: NodePort and ExternalIP frontends are
 * translated here; the backend's own endpoint program polices the result. A
 * NodePort backend on another node gets the node's address as source, and
 * its reply, back through here, gets the client's and the frontend's. */
SEC("tc")
int gw_from_netdev(struct __sk_buff *skb)
{
	struct gw_pkt p = {};
	struct lb_result lb = {};
	struct gw_ct_key fwd;
	struct gw_ct_value *ct;
	__be32 frontend;
	__be16 frontend_port;
	__u64 now;
	int r;

	if (parse(skb, &p) != GW_PARSE_IPV4)
		return TC_ACT_OK;
	now = bpf_ktime_get_ns();
	r = nodeport_rev_snat(skb, &p);
	if (r != 0) {
		if (r < 0 || netdev_revnat(skb, &p, now) < 0 || (r = fib_redirect(skb, &p)) == TC_ACT_SHOT) {
			count(GW_REASON_LB_NAT_FAILED, p.len);
			return TC_ACT_SHOT;
		}
		return r;
	}
	frontend = p.daddr;
	frontend_port = p.dport;
	r = lb_translate(skb, &p, GW_NETDEV_ENDPOINT, GW_DIR_INGRESS, true, now, &lb);
	if (r == 0)
		return TC_ACT_OK;
	if (r < 0) {
		count(lb.reason, p.len);
		return TC_ACT_SHOT;
	}
	fwd = ct_key(&p, GW_NETDEV_ENDPOINT, GW_DIR_INGRESS, false);
	ct = ct_lookup_live(&fwd, now);
	if (ct)
		ct_touch(ct, &p, false, now);
	else
		ct_create(&fwd, &p, 0, 0, lb.rev_nat_index, now);
	count(GW_REASON_LB_NODEPORT, p.len);
	if (!backend_is_local(p.daddr) && (lb.flags & GW_LB_FLAG_DSR)) {
		/* DSR: the client's address kept, the frontend carried to the backend's node. */
		r = dsr_carries_opt(&p) && dsr_add_opt(skb, &p, frontend, frontend_port) < 0 ? TC_ACT_SHOT
											       : fib_redirect(skb, &p);
		if (r == TC_ACT_SHOT)
			count(GW_REASON_LB_NAT_FAILED, p.len);
		return r;
	}
	if (!backend_is_local(p.daddr)) {
		if (lb.type != GW_LB_TYPE_NODE_PORT)
			frontend = fib_source(skb, p.daddr);
		r = frontend ? nodeport_snat(skb, &p, frontend, lb.rev_nat_index, now) : TC_ACT_SHOT;
		if (r == TC_ACT_SHOT)
			count(GW_REASON_LB_NAT_FAILED, p.len);
		return r;
	}
	return TC_ACT_OK;
}

/* The node's external device, outbound: replies of translated connections
 * leave with the frontend as their source. Everything else passes untouched. */
SEC("tc")
int gw_to_netdev(struct __sk_buff *skb)
{
	struct gw_pkt p = {};

	if (parse(skb, &p) != GW_PARSE_IPV4)
		return TC_ACT_OK;
	return netdev_revnat(skb, &p, bpf_ktime_get_ns()) < 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

/* A connection's entry under one of its tuples, created with its reverse-NAT
 * index or kept alive. */
static __always_inline void ct_track_nat(const struct gw_ct_key *k, const struct gw_pkt *p, __u16 rev_nat_index,
					 __u64 now)
{
	struct gw_ct_value *ct = ct_lookup_live(k, now);

	if (ct)
		ct_touch(ct, p, false, now);
	else
		ct_create(k, p, 0, 0, rev_nat_index, now);
}

/* gw_host, outbound: the node's own connections to a service, routed here by
 * the service CIDR route (Cilium's cilium_host). They are translated and
 * tracked under endpoint 0 and sent straight to the backend. A local
 * backend's program reverse-NATs the reply through the entry made here under
 * its endpoint; a remote backend gets the node's address as source (SNAT, as
 * for NodePort) and its reply is reverse-translated by gw_from_netdev. */
SEC("tc")
int gw_from_host(struct __sk_buff *skb)
{
	struct gw_pkt p = {};
	struct lb_result lb = {};
	struct gw_endpoint_key ek = {};
	struct gw_endpoint_value *ep;
	struct gw_ct_key k;
	__u64 now;
	int r;

	/* Only what the node sends to the service CIDR comes here: nothing else has a way on. */
	if (parse(skb, &p) != GW_PARSE_IPV4)
		return TC_ACT_SHOT;
	now = bpf_ktime_get_ns();
	r = lb_translate(skb, &p, GW_NETDEV_ENDPOINT, GW_DIR_INGRESS, false, now, &lb);
	if (r <= 0) {
		count(r < 0 ? lb.reason : GW_REASON_NO_ENDPOINT, p.len);
		return TC_ACT_SHOT;
	}
	k = ct_key(&p, GW_NETDEV_ENDPOINT, GW_DIR_INGRESS, false);
	ct_track_nat(&k, &p, lb.rev_nat_index, now);
	count(GW_REASON_LB_NODEPORT, p.len);
	ek.addr = p.daddr;
	ep = bpf_map_lookup_elem(&gw_endpoints, &ek);
	if (ep) {
		k = ct_key(&p, ep->endpoint_id, GW_DIR_INGRESS, false);
		ct_track_nat(&k, &p, lb.rev_nat_index, now);
		r = fib_redirect(skb, &p);
	} else {
		r = nodeport_snat(skb, &p, p.saddr, lb.rev_nat_index, now);
	}
	if (r == TC_ACT_SHOT)
		count(GW_REASON_LB_NAT_FAILED, p.len);
	return r;
}

/* The VXLAN device (collect-metadata), outbound: every packet it carries gets
 * its tunnel key, the source identity as VNI. */
SEC("tc")
int gw_to_overlay(struct __sk_buff *skb)
{
	struct gw_pkt p = {};

	if (parse(skb, &p) != GW_PARSE_IPV4)
		return TC_ACT_SHOT;
	return encap_set_key(skb, &p);
}

/* The VXLAN device, inbound: the VNI is the sender's identity, which the
 * destination endpoint's program enforces on instead of the ipcache's. */
SEC("tc")
int gw_from_overlay(struct __sk_buff *skb)
{
	encap_mark_identity(skb);
	return TC_ACT_OK;
}
