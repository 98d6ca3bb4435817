/* Types that cross to user space but that no map or global names: events
 * are written field by field into ring-buffer memory and enum constants are
 * only used as values, so clang would not emit them. These unused pointers
 * keep them in the object's BTF, where tests/datapath/bpf-layout.test.ts and
 * bpf-enums.test.ts hold the TypeScript mirrors to them. */
#ifndef GW_LIB_BTF_ANCHORS_H
#define GW_LIB_BTF_ANCHORS_H

#include "abi/common.h"
#include "abi/config.h"
#include "abi/conntrack.h"
#include "abi/encap.h"
#include "abi/endpoint.h"
#include "abi/events.h"
#include "abi/lb.h"
#include "abi/nodeport.h"
#include "abi/policy.h"
#include "abi/proxy.h"

struct gw_abi_enums {
	enum gw_dir dir;
	enum gw_identity identity;
	enum gw_cfg_flag cfg_flag;
	enum gw_ct_flag ct_flag;
	enum gw_ep_flag ep_flag;
	enum gw_reason reason;
	enum gw_reason_limit reason_limit;
	enum gw_event_type event_type;
	enum gw_lb_alg lb_alg;
	enum gw_lb_type lb_type;
	enum gw_lb_flags lb_flags;
	enum gw_backend_state backend_state;
	enum gw_maglev_slot maglev_slot;
	enum gw_verdict verdict;
	enum gw_policy_prefix policy_prefix;
	enum gw_proxy_mark proxy_mark;
	enum gw_snat_dir snat_dir;
	enum gw_identity_mark identity_mark;
};

struct gw_event *gw_event_btf_anchor __attribute__((unused));
struct gw_abi_enums *gw_enums_btf_anchor __attribute__((unused));

#endif
