/* What one packet is, parsed once: addresses, ports (the conntrack tuple's
 * and the one policy looks up), protocol and TCP flags. */
#ifndef GW_LIB_PACKET_H
#define GW_LIB_PACKET_H

#include "lib/common.h"

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

enum gw_parse {
	GW_PARSE_IPV6 = -2,
	GW_PARSE_MALFORMED = -1,
	GW_PARSE_NOT_IP = 0,
	GW_PARSE_IPV4 = 1,
};

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_RST 0x04
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

/* Ports (or the ICMP type and echo identifier) from the L4 header at off. */
static __always_inline int parse_l4(struct __sk_buff *skb, struct gw_pkt *p, __u32 off)
{
	__u8 l4[14];

	switch (p->protocol) {
	case IPPROTO_TCP:
		if (bpf_skb_load_bytes(skb, off, l4, 14) < 0)
			return GW_PARSE_MALFORMED;
		p->tcp_flags = l4[13];
		/* fallthrough */
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (bpf_skb_load_bytes(skb, off, l4, 4) < 0)
			return GW_PARSE_MALFORMED;
		p->sport = *(__be16 *)&l4[0];
		p->dport = *(__be16 *)&l4[2];
		p->policy_port = p->dport;
		break;
	case IPPROTO_ICMP:
		if (bpf_skb_load_bytes(skb, off, l4, 8) < 0)
			return GW_PARSE_MALFORMED;
		p->policy_port = bpf_htons(l4[0]);
		/* Echo request and reply share a tuple: identifier on the requester's side. */
		if (l4[0] == ICMP_ECHO)
			p->sport = *(__be16 *)&l4[4];
		else if (l4[0] == ICMP_ECHOREPLY)
			p->dport = *(__be16 *)&l4[4];
		break;
	}
	return GW_PARSE_IPV4;
}

static __always_inline int parse(struct __sk_buff *skb, struct gw_pkt *p)
{
	__be16 proto;
	struct iphdr ip;
	__u32 off;

	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)) < 0)
		return GW_PARSE_NOT_IP;
	if (proto == bpf_htons(ETH_P_IPV6))
		return GW_PARSE_IPV6;
	if (proto != bpf_htons(ETH_P_IP))
		return GW_PARSE_NOT_IP;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0 || ip.ihl < 5)
		return GW_PARSE_MALFORMED;
	p->saddr = ip.saddr;
	p->daddr = ip.daddr;
	p->protocol = ip.protocol;
	p->len = skb->len;
	/* A non-first fragment has no L4 header: it is looked up with port 0. */
	if (ip.frag_off & bpf_htons(0x1fff))
		return GW_PARSE_IPV4;
	off = ETH_HLEN + ip.ihl * 4;
	p->l4_off = off;
	return parse_l4(skb, p, off);
}

#endif
