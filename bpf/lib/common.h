/* What every program and lib header needs: the kernel's types, libbpf's
 * helpers and the boundary's constants. */
#ifndef GW_LIB_COMMON_H
#define GW_LIB_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "abi/common.h"

#ifndef offsetof
#define offsetof(t, m) __builtin_offsetof(t, m)
#endif

#define NSEC_PER_SEC 1000000000ULL

/* A step's "not decided yet": the program goes on to its next step. */
#define GW_CONTINUE -1

/* The datapath's own endpoint id for connections that enter through the node
 * device (NodePort, ExternalIP from outside): ids of real endpoints start at 1. */
#define GW_NETDEV_ENDPOINT 0

#endif
