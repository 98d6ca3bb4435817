/* Address and port rewriting with incremental checksum fixes. */
#ifndef GW_LIB_NAT_H
#define GW_LIB_NAT_H

#include "lib/common.h"
#include "lib/packet.h"

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

#endif
