/* Proxy redirect. Today a redirect verdict only marks the packet for a
 * proxy the way Cilium does; steering it to a local listener (bpf_sk_assign)
 * belongs here. */
#ifndef GW_LIB_PROXY_H
#define GW_LIB_PROXY_H

#include "lib/common.h"

/* Cilium's to-proxy mark: magic 0x0200 with the proxy port in the upper half. */
#define GW_MARK_MAGIC_TO_PROXY 0x0200

static __always_inline void proxy_redirect(struct __sk_buff *skb, __u16 proxy_port)
{
	skb->mark = ((__u32)proxy_port << 16) | GW_MARK_MAGIC_TO_PROXY;
}

#endif
