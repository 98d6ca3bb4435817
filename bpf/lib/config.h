/* Load-time configuration: the object's .rodata, written by the agent before
 * load (src/datapath/maps/config-codec.ts). */
#ifndef GW_LIB_CONFIG_H
#define GW_LIB_CONFIG_H

#include "lib/common.h"
#include "abi/config.h"

const volatile struct gw_config gw_config = {
	.ct_lifetime_tcp = 21600,
	.ct_lifetime_nontcp = 60,
	.ct_lifetime_syn = 60,
	.ct_lifetime_close = 10,
	.event_rate = 1000,
	.event_burst = 200,
	.flags = GW_CFG_VERDICT_EVENTS | GW_CFG_POLICY_CACHE,
};

#endif
