import { RESERVED_IDENTITIES } from '../../desired/identity/index.js';
import { cEnum, type CEnum } from './internal/c-enum.js';

// Mirrors of the C enums in bpf/include/abi/ that cross the boundary. Each is held to
// the compiled object's BTF by tests/datapath/bpf-enums.test.ts.

/** Direction as seen by the endpoint (the workload), not by the device. */
export const DIRECTION = cEnum('gw_dir', 'GW_DIR_', { ingress: 0, egress: 1 });

/** The reserved identities the datapath itself uses; unknown (0) in a policy key means any peer. */
export const IDENTITY = cEnum('gw_identity', 'GW_IDENTITY_', {
  unknown: 0,
  host: RESERVED_IDENTITIES.host,
  world: RESERVED_IDENTITIES.world,
  'remote-node': RESERVED_IDENTITIES['remote-node'],
});

/** A policy entry's verdict; none = no entry matched (events only). */
export const VERDICT = cEnum('gw_verdict', 'GW_VERDICT_', { none: 0, allow: 1, deny: 2, redirect: 3 });

/** Why a packet was passed or dropped: the counter index and the event's reason. */
export const REASON = cEnum('gw_reason', 'GW_REASON_', {
  unspec: 0,
  allowed: 1,
  redirect: 2,
  'not-enforced': 3,
  'ct-reply': 4,
  'not-ip': 5,
  'no-endpoint': 6,
  audit: 7,
  'denied-policy': 8,
  'denied-default': 9,
  ipv6: 10,
  malformed: 11,
  'invalid-source': 12,
  'event-suppressed': 13,
  'event-lost': 14,
  'lb-no-backend': 16,
  'lb-backend-missing': 17,
  'lb-nodeport': 18,
  'lb-nodeport-reply': 19,
  'proxy-unavailable': 20,
  'from-proxy': 21,
  'lb-nat-failed': 26,
});

/** The counters array's size: reasons up to 31 (16..19 and 26 the load balancer's, 20..21 the proxy redirect's). */
export const REASON_LIMIT = cEnum('gw_reason_limit', 'GW_REASON_', { max: 32 });

export const EVENT_TYPE = cEnum('gw_event_type', 'GW_EVENT_', { drop: 1, verdict: 2, audit: 3 });

export const LB_ALGORITHM = cEnum('gw_lb_alg', 'GW_LB_ALG_', { random: 0, maglev: 1 });

export const LB_FLAG = cEnum('gw_lb_flags', 'GW_LB_FLAG_', { dsr: 1 });

export const LB_TYPE = cEnum('gw_lb_type', 'GW_LB_TYPE_', { ClusterIP: 0, NodePort: 1, ExternalIP: 2 });

export const BACKEND_STATE = cEnum('gw_backend_state', 'GW_BACKEND_', {
  active: 0,
  terminating: 1,
  quarantined: 2,
  maintenance: 3,
});

/** Bits of gw_ct_value.flags. */
export const CT_FLAG = cEnum('gw_ct_flag', 'GW_CT_', {
  'fwd-fin': 1,
  'rev-fin': 2,
  rst: 4,
  'seen-reply': 8,
  audit: 16,
});

/** Bits of gw_endpoint_value.flags. */
export const EP_FLAG = cEnum('gw_ep_flag', 'GW_EP_', { 'enforce-ingress': 1, 'enforce-egress': 2, audit: 4 });

/** Bits of gw_config.flags. */
export const CFG_FLAG = cEnum('gw_cfg_flag', 'GW_CFG_', { 'verdict-events': 1, 'policy-cache': 2 });

/** Policy LPM prefix lengths: identity, endpoint and direction fixed; then protocol and port bits. */
export const POLICY_PREFIX = cEnum('gw_policy_prefix', 'GW_POLICY_', { 'fixed-prefix': 56, 'full-prefix': 80 });

/** The Maglev map slot that holds a table's size instead of a backend id. */
export const MAGLEV_SLOT = cEnum('gw_maglev_slot', 'GW_MAGLEV_', { 'size-slot': 0xffff_ffff });

/** skb->mark values of the proxy redirect (Cilium's): to the proxy, from the ingress proxy, and their mask. */
export const PROXY_MARK = cEnum('gw_proxy_mark', 'GW_MARK_MAGIC_', {
  'to-proxy': 0x0200,
  'proxy-ingress': 0x0a00,
  mask: 0x0f00,
});

/** Which way a NAT table entry translates: out = a connection's new source, in = its reply's client. */
export const SNAT_DIR = cEnum('gw_snat_dir', 'GW_SNAT_', { out: 0, in: 1 });

/** skb->mark of a packet the overlay device received: the VNI's identity follows; the largest identity a VNI holds. */
export const IDENTITY_MARK = cEnum('gw_identity_mark', 'GW_', { 'mark-magic-identity': 0x0e00, 'vni-max': 0xff_ffff });

/** Every mirror, for the BTF check. */
export const C_ENUMS: ReadonlyArray<CEnum<string>> = [
  DIRECTION,
  IDENTITY,
  IDENTITY_MARK,
  VERDICT,
  REASON,
  REASON_LIMIT,
  EVENT_TYPE,
  LB_ALGORITHM,
  LB_TYPE,
  LB_FLAG,
  BACKEND_STATE,
  CT_FLAG,
  EP_FLAG,
  CFG_FLAG,
  POLICY_PREFIX,
  MAGLEV_SLOT,
  PROXY_MARK,
  SNAT_DIR,
];
