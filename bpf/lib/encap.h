/* encap: the VXLAN device in collect-metadata mode. Its egress program sets
 * the tunnel key of every packet (remote node from the ipcache entry of the
 * destination, VNI = source identity); its ingress program hands the VNI to
 * the destination endpoint through skb->mark, so that the receiving node
 * enforces on the sender's identity even when its ipcache disagrees. */
#ifndef GW_LIB_ENCAP_H
#define GW_LIB_ENCAP_H

#include "lib/common.h"
#include "abi/encap.h"
#include "abi/proxy.h"
#include "lib/endpoint.h"
#include "lib/ipcache.h"

/* A local endpoint is known by its endpoint entry; anything else by the
 * ipcache. This node's host is a remote node to the receiver, as in Cilium. */
static __always_inline __u32 source_identity(__be32 saddr)
{
	struct gw_endpoint_key k = { .addr = saddr };
	struct gw_endpoint_value *ep = bpf_map_lookup_elem(&gw_endpoints, &k);
	__u32 id = ep ? ep->identity : peer_identity(saddr);

	return id == GW_IDENTITY_HOST ? GW_IDENTITY_REMOTE_NODE : id;
}

/* TC_ACT_SHOT when the destination has no tunnel endpoint or the identity
 * does not fit a VNI: the collect-metadata device would drop it anyway. */
static __always_inline int encap_set_key(struct __sk_buff *skb, const struct gw_pkt *p)
{
	struct gw_ipcache_key k = { .prefixlen = 32, .addr = p->daddr };
	struct gw_ipcache_value *v = bpf_map_lookup_elem(&gw_ipcache, &k);
	struct bpf_tunnel_key key = {};
	__u32 id;

	if (!v || !v->tunnel_endpoint)
		return TC_ACT_SHOT;
	id = source_identity(p->saddr);
	if (id > GW_VNI_MAX)
		return TC_ACT_SHOT;
	key.remote_ipv4 = bpf_ntohl(v->tunnel_endpoint);
	key.tunnel_id = id;
	key.tunnel_ttl = 64;
	if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_ZERO_CSUM_TX) < 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

/* Records the VNI of a received packet as the sender's identity. */
static __always_inline void encap_mark_identity(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};

	if (bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0) < 0)
		return;
	/* No sender presents itself as the receiver's host. */
	if (key.tunnel_id == GW_IDENTITY_HOST)
		key.tunnel_id = GW_IDENTITY_REMOTE_NODE;
	skb->mark = ((key.tunnel_id & 0xFFFF) << 16) | GW_MARK_MAGIC_IDENTITY | ((key.tunnel_id >> 16) & 0xFF);
}

/* The identity the overlay device recorded, or the ipcache's for the address. */
static __always_inline __u32 ingress_peer_identity(__u32 m, __be32 saddr)
{
	if ((m & GW_MARK_MAGIC_MASK) == GW_MARK_MAGIC_IDENTITY)
		return (m >> 16) | ((m & 0xFF) << 16);
	return peer_identity(saddr);
}

#endif
