/* Proxy redirect: a redirect verdict steers the flow to the node's
 * transparent proxy listener with bpf_sk_assign, the way Cilium's
 * ctx_redirect_to_proxy does, and records the peer's identity for the proxy.
 * bpf_sk_assign only works on the receive path (tc ingress), so an ingress
 * redirect decided on the device's egress hook is turned around to the same
 * device's ingress, marked, and assigned there. No listener: dropped. */
#ifndef GW_LIB_PROXY_H
#define GW_LIB_PROXY_H

#include "lib/common.h"
#include "lib/packet.h"
#include "abi/proxy.h"

#define GW_PACKET_HOST 0
#define GW_TCP_SYN 0x02
#define GW_TCP_ACK 0x10

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GW_PROXY_MAX_ENTRIES);
	__type(key, struct gw_proxy_key);
	__type(value, struct gw_proxy_value);
} gw_proxy SEC(".maps");

static __always_inline __u16 proxy_port_of(const struct __sk_buff *skb)
{
	return (skb->mark & GW_MARK_MAGIC_MASK) == GW_MARK_MAGIC_TO_PROXY ? skb->mark >> 16 : 0;
}

/* The proxy's own upstream connection (SO_MARK): the proxy has enforced the policy. */
static __always_inline bool proxy_upstream(__u32 mark)
{
	return (mark & GW_MARK_MAGIC_MASK) == GW_MARK_MAGIC_PROXY_INGRESS;
}

/* On a connection's first packet, and on every SYN: a tuple reused while its
 * conntrack entry lives still gets the current identity. */
static __always_inline void proxy_record(const struct gw_pkt *p, bool new_flow, __u32 identity, __u16 ep,
					 enum gw_dir dir)
{
	struct gw_proxy_key k = { .saddr = p->saddr, .daddr = p->daddr, .sport = p->sport, .dport = p->dport };
	struct gw_proxy_value v = { .identity = identity, .endpoint_id = ep, .direction = dir };

	if (!new_flow && (p->tcp_flags & (GW_TCP_SYN | GW_TCP_ACK)) != GW_TCP_SYN)
		return;
	bpf_map_update_elem(&gw_proxy, &k, &v, BPF_ANY);
}

/* The socket a tuple finds, assigned to the packet when assign is set. An
 * established lookup must not settle for a listener or a dying socket (a
 * listener would answer the handshake's ACK with a reset). */
static __always_inline int proxy_sk(struct __sk_buff *skb, struct bpf_sock_tuple *t, bool established, bool assign)
{
	struct bpf_sock *sk = bpf_skc_lookup_tcp(skb, t, sizeof(t->ipv4), BPF_F_CURRENT_NETNS, 0);
	long r = 0;

	if (!sk)
		return -1;
	if (established && (sk->state == BPF_TCP_LISTEN || sk->state == BPF_TCP_TIME_WAIT))
		r = -1;
	else if (assign)
		r = bpf_sk_assign(skb, sk, 0);
	bpf_sk_release(sk);
	return r == 0 ? 0 : -1;
}

/* The connection's own proxy socket, else the listener on the proxy port. */
static __always_inline int proxy_find(struct __sk_buff *skb, const struct gw_pkt *p, __u16 proxy_port, bool assign)
{
	struct bpf_sock_tuple t = {};

	if (p->protocol != IPPROTO_TCP || !p->l4_off)
		return -1;
	t.ipv4.saddr = p->saddr;
	t.ipv4.daddr = p->daddr;
	t.ipv4.sport = p->sport;
	t.ipv4.dport = p->dport;
	if (proxy_sk(skb, &t, true, assign) == 0)
		return 0;
	t.ipv4.saddr = 0;
	t.ipv4.daddr = 0;
	t.ipv4.sport = 0;
	t.ipv4.dport = bpf_htons(proxy_port);
	return proxy_sk(skb, &t, false, assign);
}

/* A redirect verdict. The mark routes the packet to the local stack (the
 * node's fwmark rule); on the receive path the proxy's socket is assigned at
 * once, on the send path (ingress policy) the packet is turned around to the
 * device's ingress and assigned there (proxy_turned_around). TC_ACT_SHOT when
 * the proxy does not listen: redirected flows fail closed. */
static __always_inline int proxy_redirect(struct __sk_buff *skb, const struct gw_pkt *p, __u16 proxy_port,
					  enum gw_dir dir)
{
	if (proxy_find(skb, p, proxy_port, dir == GW_DIR_EGRESS) < 0)
		return TC_ACT_SHOT;
	skb->mark = ((__u32)proxy_port << 16) | GW_MARK_MAGIC_TO_PROXY;
	if (dir == GW_DIR_EGRESS)
		return TC_ACT_OK;
	return bpf_redirect(skb->ifindex, BPF_F_INGRESS);
}

/* A packet proxy_redirect turned around, back on the device's ingress. */
static __always_inline int proxy_turned_around(struct __sk_buff *skb, const struct gw_pkt *p)
{
	if (proxy_find(skb, p, proxy_port_of(skb), true) < 0)
		return TC_ACT_SHOT;
	/* Its destination MAC is the workload's: the stack would drop it as
	 * another host's without this. */
	bpf_skb_change_type(skb, GW_PACKET_HOST);
	return TC_ACT_OK;
}

#endif
