/* Local endpoints: the workload a packet belongs to, by its address. */
#ifndef GW_LIB_ENDPOINT_H
#define GW_LIB_ENDPOINT_H

#include "lib/common.h"
#include "lib/packet.h"
#include "abi/endpoint.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_ENDPOINT_MAX_ENTRIES);
	__type(key, struct gw_endpoint_key);
	__type(value, struct gw_endpoint_value);
} gw_endpoints SEC(".maps");

/* The endpoint on the workload's side of the packet: the source leaving it, the destination entering it. */
static __always_inline struct gw_endpoint_value *endpoint_of(const struct gw_pkt *p, enum gw_dir dir)
{
	struct gw_endpoint_key k = { .addr = dir == GW_DIR_EGRESS ? p->saddr : p->daddr };

	return bpf_map_lookup_elem(&gw_endpoints, &k);
}

/* A packet leaving a workload must come from that workload's own veth. */
static __always_inline bool endpoint_spoofed(const struct gw_endpoint_value *ep, enum gw_dir dir, __u32 ifindex)
{
	return dir == GW_DIR_EGRESS && ep->ifindex && ep->ifindex != ifindex;
}

static __always_inline bool endpoint_enforced(const struct gw_endpoint_value *ep, enum gw_dir dir)
{
	return ep->flags & (dir == GW_DIR_EGRESS ? GW_EP_ENFORCE_EGRESS : GW_EP_ENFORCE_INGRESS);
}

#endif
