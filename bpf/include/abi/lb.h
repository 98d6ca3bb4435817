/* Load balancer, modelled on Cilium's lb4 maps. A service is a set of slots
 * keyed by frontend: slot 0 (the master) holds the backend count, reverse-NAT
 * index, algorithm and flags; slots 1..count hold backend ids. Backends,
 * reverse NAT and Maglev tables are maps of their own, so a backend shared
 * by many services is written once. */
#ifndef GW_LB_H
#define GW_LB_H

enum gw_lb_alg {
	GW_LB_ALG_RANDOM = 0,
	GW_LB_ALG_MAGLEV = 1,
};

/* Master flags. DSR: a backend on another node answers the client directly (lib/dsr.h). */
enum gw_lb_flags {
	GW_LB_FLAG_DSR = 1,
};

enum gw_lb_type {
	GW_LB_TYPE_CLUSTER_IP = 0,
	GW_LB_TYPE_NODE_PORT = 1,
	GW_LB_TYPE_EXTERNAL_IP = 2,
};

struct gw_lb_svc_key {
	__be32 addr;
	__be16 dport;
	__u16 slot;        /* 0 = master */
	__u8 protocol;
	__u8 pad0[3];
};
_Static_assert(sizeof(struct gw_lb_svc_key) == 12, "gw_lb_svc_key size");

struct gw_lb_svc_value {
	__u32 backend_id;  /* slots 1..count; 0 in the master */
	__u16 count;       /* master: backends in the slots */
	__u16 rev_nat_index;
	__u32 affinity_timeout_s; /* master: 0 = no session affinity */
	__u8 algorithm;    /* master: enum gw_lb_alg */
	__u8 type;         /* master: enum gw_lb_type */
	__u8 flags;        /* master: enum gw_lb_flags */
	__u8 pad0;
};
_Static_assert(sizeof(struct gw_lb_svc_value) == 16, "gw_lb_svc_value size");

enum gw_backend_state {
	GW_BACKEND_ACTIVE = 0,
	GW_BACKEND_TERMINATING = 1,
	GW_BACKEND_QUARANTINED = 2,
	GW_BACKEND_MAINTENANCE = 3,
};

struct gw_lb_backend {
	__be32 addr;
	__be16 port;
	__u8 protocol;
	__u8 state;        /* enum gw_backend_state */
};
_Static_assert(sizeof(struct gw_lb_backend) == 8, "gw_lb_backend size");

struct gw_lb_revnat {
	__be32 addr;
	__be16 port;
	__u8 pad0[2];
};
_Static_assert(sizeof(struct gw_lb_revnat) == 8, "gw_lb_revnat size");

/* One Maglev slot: (reverse-NAT index, slot) -> backend id. Slot
 * GW_MAGLEV_SIZE_SLOT holds the table's size instead, so tables of any of
 * Cilium's prime sizes live in one map without a per-size value layout. */
struct gw_lb_maglev_key {
	__u16 rev_nat_index;
	__u8 pad0[2];
	__u32 slot;
};
_Static_assert(sizeof(struct gw_lb_maglev_key) == 8, "gw_lb_maglev_key size");

enum gw_maglev_slot {
	GW_MAGLEV_SIZE_SLOT = 0xffffffff,
};

/* The backend a connection was given, keyed by its tuple as the client sent
 * it (to the frontend). Backend address and port are kept here, so a
 * connection finishes on its backend even after the backend left the
 * service. Valid while the conntrack entry of the translated tuple lives. */
struct gw_lb_ct_value {
	__be32 backend_addr;
	__be16 backend_port;
	__u16 rev_nat_index;
	__u32 backend_id;
	__u32 pad0;
};
_Static_assert(sizeof(struct gw_lb_ct_value) == 16, "gw_lb_ct_value size");

/* Session affinity: the backend a client was last given by a service. */
struct gw_lb_affinity_key {
	__be32 client;
	__u16 rev_nat_index;
	__u8 pad0[2];
};
_Static_assert(sizeof(struct gw_lb_affinity_key) == 8, "gw_lb_affinity_key size");

struct gw_lb_affinity_value {
	__u64 last_used_ns;
	__u32 backend_id;
	__u32 pad0;
};
_Static_assert(sizeof(struct gw_lb_affinity_value) == 16, "gw_lb_affinity_value size");

#define GW_LB_SVC_MAX_ENTRIES 262144
#define GW_LB_BACKEND_MAX_ENTRIES 65536
#define GW_LB_REVNAT_MAX_ENTRIES 65536
#define GW_LB_MAGLEV_MAX_ENTRIES 1048576
#define GW_LB_CT_MAX_ENTRIES 65536
#define GW_LB_AFFINITY_MAX_ENTRIES 65536

#endif
