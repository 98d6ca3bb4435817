/* Per-reason counters and ring-buffer events. Every packet a program sees
 * is counted under exactly one reason; events are rate-limited per CPU. */
#ifndef GW_LIB_EVENTS_H
#define GW_LIB_EVENTS_H

#include "lib/common.h"
#include "lib/config.h"
#include "lib/packet.h"
#include "abi/endpoint.h"
#include "abi/events.h"
#include "abi/policy.h"

/* Per-CPU token bucket that limits events, so a flood cannot starve the agent. */
struct gw_event_budget {
	__u64 last_ns;
	__u64 tokens;
};
_Static_assert(sizeof(struct gw_event_budget) == 16, "gw_event_budget size");

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

static __always_inline void count(enum gw_reason reason, __u32 len)
{
	__u32 key = reason;
	struct gw_counter *c = bpf_map_lookup_elem(&gw_counters, &key);

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
	if (elapsed >= NSEC_PER_SEC) {
		b->tokens = gw_config.event_burst;
		b->last_ns = now;
	} else {
		add = elapsed * gw_config.event_rate / NSEC_PER_SEC;
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

/* What an event says besides the packet: who, why and which entry decided. */
struct gw_verdict_info {
	enum gw_event_type type;
	enum gw_reason reason;
	enum gw_dir dir;
	__u32 peer;
	const struct gw_policy_value *pv; /* NULL = no entry matched */
};

static __always_inline void emit(struct __sk_buff *skb, const struct gw_pkt *p, const struct gw_endpoint_value *ep,
				 const struct gw_verdict_info *vi, __u64 now)
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
	e->src_identity = vi->dir == GW_DIR_EGRESS ? ep->identity : vi->peer;
	e->dst_identity = vi->dir == GW_DIR_EGRESS ? vi->peer : ep->identity;
	e->saddr = p->saddr;
	e->daddr = p->daddr;
	e->sport = p->sport;
	e->dport = p->policy_port;
	e->rule_id = vi->pv ? vi->pv->rule_id : 0;
	e->ifindex = skb->ifindex;
	e->endpoint_id = ep->endpoint_id;
	e->pkt_len = p->len > 0xffff ? 0xffff : p->len;
	e->type = vi->type;
	e->reason = vi->reason;
	e->direction = vi->dir;
	e->protocol = p->protocol;
	e->verdict = vi->pv ? vi->pv->verdict : GW_VERDICT_NONE;
	e->pad0[0] = 0;
	e->pad0[1] = 0;
	e->pad0[2] = 0;
	bpf_ringbuf_submit(e, 0);
}

#endif
