/* Direct server return for NodePort and ExternalIP to a backend on another
 * node, as Cilium's IPv4 DSR with an IP option: the load-balancing node
 * forwards the request with the client's address kept and the frontend
 * (address and port) in an IP option of the connection's first packet; the
 * backend's node records the frontend when its endpoint program admits that
 * packet, and gives the backend's replies the frontend as source before
 * sending them straight to the client. The option, not the tunnel key,
 * carries it: the VNI already holds the sender's identity, and an IP option
 * travels the same over VXLAN and native routing. */
#ifndef GW_LIB_DSR_H
#define GW_LIB_DSR_H

#include "lib/common.h"
#include "lib/nat.h"
#include "lib/nodeport.h"
#include "lib/packet.h"
#include "abi/nodeport.h"

/* Copied on fragmentation, option number 26: the type Cilium uses. */
#define GW_DSR_OPT_TYPE 0x9a
#define GW_DSR_OPT_LEN 8
#define GW_DSR_MAX_ENTRIES 65536
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

struct gw_dsr_opt {
	__u8 type;
	__u8 len;
	__be16 port;
	__be32 addr;
};

/* On the backend's node, keyed by the reply's tuple (backend to client):
 * the frontend the reply leaves as. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GW_DSR_MAX_ENTRIES);
	__type(key, struct gw_snat_key);
	__type(value, struct gw_snat_value);
} gw_dsr SEC(".maps");

/* The packets that carry the option: a TCP connection's SYN (the backend's
 * node keeps what it learnt for the rest), every UDP datagram (no handshake
 * tells where a flow starts). */
static __always_inline bool dsr_carries_opt(const struct gw_pkt *p)
{
	if (p->protocol == IPPROTO_TCP)
		return (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
	return p->protocol == IPPROTO_UDP;
}

/* Inserts the option after the 20-byte IPv4 header, fixing length and
 * header checksum (the L4 checksum covers no IP option). -1 when the header
 * already has options or the packet cannot grow. */
static __always_inline int dsr_add_opt(struct __sk_buff *skb, struct gw_pkt *p, __be32 addr, __be16 port)
{
	struct gw_dsr_opt opt = { .type = GW_DSR_OPT_TYPE, .len = GW_DSR_OPT_LEN, .port = port, .addr = addr };
	__u8 head[4];
	__be32 old_w, new_w;
	__s64 sum;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, head, sizeof(head)) < 0 || (head[0] & 0x0f) != 5)
		return -1;
	__builtin_memcpy(&old_w, head, sizeof(old_w));
	head[0] += GW_DSR_OPT_LEN / 4;
	*(__be16 *)&head[2] = bpf_htons(bpf_ntohs(*(__be16 *)&head[2]) + GW_DSR_OPT_LEN);
	__builtin_memcpy(&new_w, head, sizeof(new_w));
	if (bpf_skb_adjust_room(skb, GW_DSR_OPT_LEN, BPF_ADJ_ROOM_NET, 0) < 0)
		return -1;
	if (bpf_skb_store_bytes(skb, ETH_HLEN, head, sizeof(head), 0) < 0 ||
	    bpf_skb_store_bytes(skb, ETH_HLEN + 20, &opt, sizeof(opt), 0) < 0)
		return -1;
	sum = bpf_csum_diff(&old_w, sizeof(old_w), &new_w, sizeof(new_w), 0);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)&opt, sizeof(opt), sum);
	if (sum < 0 || bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), 0, sum, 0) < 0)
		return -1;
	p->l4_off += GW_DSR_OPT_LEN;
	p->len += GW_DSR_OPT_LEN;
	return 0;
}

/* On the backend's node, for a packet its endpoint admitted: records the
 * frontend of an option it carries, for the replies. A DSR request comes
 * from another node, never from a local endpoint: one that sends the option
 * is not heard. */
static __always_inline void dsr_learn(struct __sk_buff *skb, const struct gw_pkt *p, __u64 now)
{
	struct gw_dsr_opt opt;
	__u8 vihl;

	if (p->l4_off != ETH_HLEN + 20 + GW_DSR_OPT_LEN || bpf_skb_load_bytes(skb, ETH_HLEN, &vihl, 1) < 0 ||
	    (vihl & 0x0f) != 7 || bpf_skb_load_bytes(skb, ETH_HLEN + 20, &opt, sizeof(opt)) < 0 ||
	    opt.type != GW_DSR_OPT_TYPE || opt.len != GW_DSR_OPT_LEN || backend_is_local(p->saddr)) {
		return;
	}
	struct gw_snat_key k = {
		.saddr = p->daddr, .daddr = p->saddr, .sport = p->dport, .dport = p->sport, .protocol = p->protocol,
	};
	struct gw_snat_value v = { .addr = opt.addr, .port = opt.port, .created_ns = now };

	bpf_map_update_elem(&gw_dsr, &k, &v, BPF_ANY);
}

/* A backend's reply to a DSR connection: the frontend as source. Returns 1
 * when it was one, 0 when not, -1 on a rewrite failure. */
static __always_inline int dsr_reply(struct __sk_buff *skb, struct gw_pkt *p)
{
	struct gw_snat_key k = {
		.saddr = p->saddr, .daddr = p->daddr, .sport = p->sport, .dport = p->dport, .protocol = p->protocol,
	};
	struct gw_snat_value *v;

	if (!p->l4_off)
		return 0;
	v = bpf_map_lookup_elem(&gw_dsr, &k);
	if (!v)
		return 0;
	if (nat_rewrite(skb, p, false, v->addr, v->port) < 0)
		return -1;
	p->saddr = v->addr;
	p->sport = v->port;
	return 1;
}

#endif
