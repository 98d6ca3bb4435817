/* Constants shared by every gitwire BPF program. vmlinux.h has neither the
 * tc action codes nor the ethertypes, so they are defined here once. What
 * crosses to user space is an enum, so that BTF carries its values and the
 * TypeScript mirrors (src/datapath/maps/c-enums.ts) are checked against it. */
#ifndef GW_COMMON_H
#define GW_COMMON_H

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_HLEN 14

#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_SCTP 132

/* Direction as seen by the endpoint (the workload), not by the device. */
enum gw_dir {
	GW_DIR_INGRESS = 0,
	GW_DIR_EGRESS = 1,
};

/* Reserved identities (see DESIGN.md); 0 in a policy key means any peer. */
enum gw_identity {
	GW_IDENTITY_UNKNOWN = 0,
	GW_IDENTITY_HOST = 1,
	GW_IDENTITY_WORLD = 2,
	GW_IDENTITY_REMOTE_NODE = 6,
};

#endif
