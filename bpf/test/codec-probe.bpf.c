// SPDX-License-Identifier: GPL-2.0
/* Test object: checks the TypeScript codecs against the C structs BY VALUE
 * (tests/kernel/codec-probe.test.ts). For each struct that crosses the
 * boundary, probe_<struct> reads the bytes TypeScript encoded from
 * probe_in through the C type and writes every field, in declaration order,
 * into probe_out.slots as a plain host-order u64 (__be fields converted,
 * byte arrays copied); then it fills probe_out.bytes through the C type with
 * sentinels and enum constants for TypeScript to decode. Field i's sentinel
 * has byte j = i * 16 + j + 1, so every byte of a struct is distinct; an
 * enum field holds its last member. Any drift of offset, width, byte order
 * or enum value on either side shows up as a wrong value. */
#include "lib/common.h"
#include "lib/btf-anchors.h"
#include "abi/ipcache.h"

char LICENSE[] SEC("license") = "GPL";

#define PROBE_BYTES 64
#define PROBE_SLOTS 24

struct probe_in {
	__u8 bytes[PROBE_BYTES];
};

struct probe_out {
	__u64 slots[PROBE_SLOTS];
	__u8 bytes[PROBE_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct probe_in);
} probe_in SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct probe_out);
} probe_out SEC(".maps");

#define SB(i, j) ((__u64)(((i) * 16 + (j) + 1) & 0xff) << (8 * (j)))
#define S8(i) SB(i, 0)
#define S16(i) (S8(i) | SB(i, 1))
#define S32(i) (S16(i) | SB(i, 2) | SB(i, 3))
#define S64(i) (S32(i) | SB(i, 4) | SB(i, 5) | SB(i, 6) | SB(i, 7))

/* Fills an array field with field i's sentinel bytes; a string keeps its last byte NUL. */
#define FILL(arr, i, n)                                  \
	for (int j = 0; j < (n); j++)                    \
		(arr)[j] = ((i) * 16 + j + 1) & 0xff

/* One program per struct: `in` is TypeScript's encoding, `slot` the fields
 * read back, `f` the struct C fills for TypeScript. */
#define PROBE(type)                                                                                    \
	_Static_assert(sizeof(struct type) <= PROBE_BYTES, #type " fits the probe");                   \
	static __always_inline void probe_##type##_fields(const struct type *in, __u64 *slot,          \
							  struct type *f);                             \
	SEC("tc") int probe_##type(struct __sk_buff *skb)                                              \
	{                                                                                              \
		__u32 zero = 0;                                                                        \
		struct probe_in *in = bpf_map_lookup_elem(&probe_in, &zero);                           \
		struct probe_out *out = bpf_map_lookup_elem(&probe_out, &zero);                        \
                                                                                                       \
		if (!in || !out)                                                                       \
			return TC_ACT_SHOT;                                                            \
		probe_##type##_fields((const void *)in->bytes, out->slots, (void *)out->bytes);        \
		return TC_ACT_OK;                                                                      \
	}                                                                                              \
	static __always_inline void probe_##type##_fields(const struct type *in, __u64 *slot, struct type *f)

PROBE(gw_ipcache_key)
{
	slot[0] = in->prefixlen;
	slot[1] = bpf_ntohl(in->addr);
	f->prefixlen = S32(0);
	f->addr = bpf_htonl(S32(1));
}

PROBE(gw_ipcache_value)
{
	slot[0] = in->identity;
	slot[1] = bpf_ntohl(in->tunnel_endpoint);
	f->identity = S32(0);
	f->tunnel_endpoint = bpf_htonl(S32(1));
}

PROBE(gw_endpoint_key)
{
	slot[0] = bpf_ntohl(in->addr);
	f->addr = bpf_htonl(S32(0));
}

PROBE(gw_endpoint_value)
{
	slot[0] = in->ifindex;
	slot[1] = in->identity;
	slot[2] = in->endpoint_id;
	slot[3] = in->flags;
	__builtin_memcpy(&slot[4], in->mac, sizeof(in->mac));
	__builtin_memcpy(&slot[5], in->ifname, sizeof(in->ifname));
	f->ifindex = S32(0);
	f->identity = S32(1);
	f->endpoint_id = S16(2);
	f->flags = S8(3);
	FILL(f->mac, 4, 6);
	FILL(f->ifname, 5, 15);
}

PROBE(gw_policy_key)
{
	slot[0] = in->prefixlen;
	slot[1] = in->identity;
	slot[2] = in->endpoint_id;
	slot[3] = in->direction;
	slot[4] = in->protocol;
	slot[5] = bpf_ntohs(in->dport);
	f->prefixlen = S32(0);
	f->identity = S32(1);
	f->endpoint_id = S16(2);
	f->direction = GW_DIR_EGRESS;
	f->protocol = S8(4);
	f->dport = bpf_htons(S16(5));
}

PROBE(gw_policy_value)
{
	slot[0] = in->verdict;
	slot[1] = in->proxy_port;
	slot[2] = in->rule_id;
	f->verdict = GW_VERDICT_REDIRECT;
	f->proxy_port = S16(1);
	f->rule_id = S32(2);
}

PROBE(gw_ct_key)
{
	slot[0] = bpf_ntohl(in->saddr);
	slot[1] = bpf_ntohl(in->daddr);
	slot[2] = bpf_ntohs(in->sport);
	slot[3] = bpf_ntohs(in->dport);
	slot[4] = in->endpoint_id;
	slot[5] = in->protocol;
	slot[6] = in->direction;
	f->saddr = bpf_htonl(S32(0));
	f->daddr = bpf_htonl(S32(1));
	f->sport = bpf_htons(S16(2));
	f->dport = bpf_htons(S16(3));
	f->endpoint_id = S16(4);
	f->protocol = S8(5);
	f->direction = GW_DIR_EGRESS;
}

PROBE(gw_ct_value)
{
	slot[0] = in->created_ns;
	slot[1] = in->last_seen_ns;
	slot[2] = in->packets_fwd;
	slot[3] = in->packets_rev;
	slot[4] = in->lifetime_s;
	slot[5] = in->rule_id;
	slot[6] = in->flags;
	slot[7] = in->rev_nat_index;
	f->created_ns = S64(0);
	f->last_seen_ns = S64(1);
	f->packets_fwd = S64(2);
	f->packets_rev = S64(3);
	f->lifetime_s = S32(4);
	f->rule_id = S32(5);
	f->flags = S16(6);
	f->rev_nat_index = S16(7);
}

PROBE(gw_counter)
{
	slot[0] = in->packets;
	slot[1] = in->bytes;
	f->packets = S64(0);
	f->bytes = S64(1);
}

PROBE(gw_event)
{
	slot[0] = in->timestamp_ns;
	slot[1] = in->src_identity;
	slot[2] = in->dst_identity;
	slot[3] = bpf_ntohl(in->saddr);
	slot[4] = bpf_ntohl(in->daddr);
	slot[5] = bpf_ntohs(in->sport);
	slot[6] = bpf_ntohs(in->dport);
	slot[7] = in->rule_id;
	slot[8] = in->ifindex;
	slot[9] = in->endpoint_id;
	slot[10] = in->pkt_len;
	slot[11] = in->type;
	slot[12] = in->reason;
	slot[13] = in->direction;
	slot[14] = in->protocol;
	slot[15] = in->verdict;
	f->timestamp_ns = S64(0);
	f->src_identity = S32(1);
	f->dst_identity = S32(2);
	f->saddr = bpf_htonl(S32(3));
	f->daddr = bpf_htonl(S32(4));
	f->sport = bpf_htons(S16(5));
	f->dport = bpf_htons(S16(6));
	f->rule_id = S32(7);
	f->ifindex = S32(8);
	f->endpoint_id = S16(9);
	f->pkt_len = S16(10);
	f->type = GW_EVENT_AUDIT;
	f->reason = GW_REASON_LB_NAT_FAILED;
	f->direction = GW_DIR_EGRESS;
	f->protocol = S8(14);
	f->verdict = GW_VERDICT_REDIRECT;
}

PROBE(gw_config)
{
	slot[0] = in->ct_lifetime_tcp;
	slot[1] = in->ct_lifetime_nontcp;
	slot[2] = in->ct_lifetime_syn;
	slot[3] = in->ct_lifetime_close;
	slot[4] = in->event_rate;
	slot[5] = in->event_burst;
	slot[6] = in->flags;
	f->ct_lifetime_tcp = S32(0);
	f->ct_lifetime_nontcp = S32(1);
	f->ct_lifetime_syn = S32(2);
	f->ct_lifetime_close = S32(3);
	f->event_rate = S32(4);
	f->event_burst = S32(5);
	f->flags = S32(6);
}

PROBE(gw_lb_svc_key)
{
	slot[0] = bpf_ntohl(in->addr);
	slot[1] = bpf_ntohs(in->dport);
	slot[2] = in->slot;
	slot[3] = in->protocol;
	f->addr = bpf_htonl(S32(0));
	f->dport = bpf_htons(S16(1));
	f->slot = S16(2);
	f->protocol = S8(3);
}

PROBE(gw_lb_svc_value)
{
	slot[0] = in->backend_id;
	slot[1] = in->count;
	slot[2] = in->rev_nat_index;
	slot[3] = in->affinity_timeout_s;
	slot[4] = in->algorithm;
	slot[5] = in->type;
	slot[6] = in->flags;
	f->backend_id = S32(0);
	f->count = S16(1);
	f->rev_nat_index = S16(2);
	f->affinity_timeout_s = S32(3);
	f->algorithm = GW_LB_ALG_MAGLEV;
	f->type = GW_LB_TYPE_EXTERNAL_IP;
	f->flags = S8(6);
}

PROBE(gw_lb_backend)
{
	slot[0] = bpf_ntohl(in->addr);
	slot[1] = bpf_ntohs(in->port);
	slot[2] = in->protocol;
	slot[3] = in->state;
	f->addr = bpf_htonl(S32(0));
	f->port = bpf_htons(S16(1));
	f->protocol = S8(2);
	f->state = GW_BACKEND_MAINTENANCE;
}

PROBE(gw_lb_revnat)
{
	slot[0] = bpf_ntohl(in->addr);
	slot[1] = bpf_ntohs(in->port);
	f->addr = bpf_htonl(S32(0));
	f->port = bpf_htons(S16(1));
}

PROBE(gw_lb_maglev_key)
{
	slot[0] = in->rev_nat_index;
	slot[1] = in->slot;
	f->rev_nat_index = S16(0);
	f->slot = S32(1);
}

PROBE(gw_lb_ct_value)
{
	slot[0] = bpf_ntohl(in->backend_addr);
	slot[1] = bpf_ntohs(in->backend_port);
	slot[2] = in->rev_nat_index;
	slot[3] = in->backend_id;
	f->backend_addr = bpf_htonl(S32(0));
	f->backend_port = bpf_htons(S16(1));
	f->rev_nat_index = S16(2);
	f->backend_id = S32(3);
}

PROBE(gw_lb_affinity_key)
{
	slot[0] = bpf_ntohl(in->client);
	slot[1] = in->rev_nat_index;
	f->client = bpf_htonl(S32(0));
	f->rev_nat_index = S16(1);
}

PROBE(gw_lb_affinity_value)
{
	slot[0] = in->last_used_ns;
	slot[1] = in->backend_id;
	f->last_used_ns = S64(0);
	f->backend_id = S32(1);
}

PROBE(gw_proxy_key)
{
	slot[0] = bpf_ntohl(in->saddr);
	slot[1] = bpf_ntohl(in->daddr);
	slot[2] = bpf_ntohs(in->sport);
	slot[3] = bpf_ntohs(in->dport);
	f->saddr = bpf_htonl(S32(0));
	f->daddr = bpf_htonl(S32(1));
	f->sport = bpf_htons(S16(2));
	f->dport = bpf_htons(S16(3));
}

PROBE(gw_proxy_value)
{
	slot[0] = in->identity;
	slot[1] = in->endpoint_id;
	slot[2] = in->direction;
	f->identity = S32(0);
	f->endpoint_id = S16(1);
	f->direction = GW_DIR_EGRESS;
}

PROBE(gw_snat_key)
{
	slot[0] = bpf_ntohl(in->saddr);
	slot[1] = bpf_ntohl(in->daddr);
	slot[2] = bpf_ntohs(in->sport);
	slot[3] = bpf_ntohs(in->dport);
	slot[4] = in->protocol;
	slot[5] = in->dir;
	f->saddr = bpf_htonl(S32(0));
	f->daddr = bpf_htonl(S32(1));
	f->sport = bpf_htons(S16(2));
	f->dport = bpf_htons(S16(3));
	f->protocol = S8(4);
	f->dir = GW_SNAT_IN;
}

PROBE(gw_snat_value)
{
	slot[0] = bpf_ntohl(in->addr);
	slot[1] = bpf_ntohs(in->port);
	slot[2] = in->rev_nat_index;
	slot[3] = in->created_ns;
	f->addr = bpf_htonl(S32(0));
	f->port = bpf_htons(S16(1));
	f->rev_nat_index = S16(2);
	f->created_ns = S64(3);
}
