/* Load-time configuration, set through .rodata before load. */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

enum gw_cfg_flag {
	GW_CFG_VERDICT_EVENTS = 1 << 0, /* also report allowed new connections */
	GW_CFG_POLICY_CACHE = 1 << 1,   /* use the verdict cache (off: always walk the trie) */
};

struct gw_config {
	__u32 ct_lifetime_tcp;    /* seconds, established TCP */
	__u32 ct_lifetime_nontcp; /* seconds, UDP, ICMP, others */
	__u32 ct_lifetime_syn;    /* seconds, TCP before the first reply */
	__u32 ct_lifetime_close;  /* seconds, TCP after FIN or RST */
	__u32 event_rate;         /* events per second per CPU */
	__u32 event_burst;        /* bucket size; 0 = no events */
	__u32 flags;              /* enum gw_cfg_flag bits */
	__u32 pad0;
};
_Static_assert(sizeof(struct gw_config) == 32, "gw_config size");

#endif
