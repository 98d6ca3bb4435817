import { CFG_FLAG } from './c-enums.js';
import { pad, u32 } from './internal/field-types.js';
import { structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors struct gw_config in bpf/include/abi/config.h: the endpoint program's .rodata.
export interface EndpointProgramConfig {
  /** Conntrack lifetimes in seconds. */
  readonly ctLifetimeTcp: number;
  readonly ctLifetimeNonTcp: number;
  readonly ctLifetimeSyn: number;
  readonly ctLifetimeClose: number;
  /** Event budget per CPU: refill rate per second and bucket size (0 = no events). */
  readonly eventRate: number;
  readonly eventBurst: number;
  /** Also report allowed new connections, not only drops and audits. */
  readonly verdictEvents: boolean;
  /** Cache policy decisions per (endpoint, direction, peer, protocol, port); off = walk the trie for every packet. */
  readonly policyCache: boolean;
}

export const DEFAULT_ENDPOINT_CONFIG: EndpointProgramConfig = {
  ctLifetimeTcp: 21600,
  ctLifetimeNonTcp: 60,
  ctLifetimeSyn: 60,
  ctLifetimeClose: 10,
  eventRate: 1000,
  eventBurst: 200,
  verdictEvents: true,
  policyCache: true,
};

const flag = CFG_FLAG.values;

export const configCodec: Codec<EndpointProgramConfig> = structCodec(
  'gw_config',
  {
    ct_lifetime_tcp: u32,
    ct_lifetime_nontcp: u32,
    ct_lifetime_syn: u32,
    ct_lifetime_close: u32,
    event_rate: u32,
    event_burst: u32,
    flags: u32,
    pad0: pad(4),
  },
  {
    toFields: (c) => ({
      ct_lifetime_tcp: c.ctLifetimeTcp,
      ct_lifetime_nontcp: c.ctLifetimeNonTcp,
      ct_lifetime_syn: c.ctLifetimeSyn,
      ct_lifetime_close: c.ctLifetimeClose,
      event_rate: c.eventRate,
      event_burst: c.eventBurst,
      flags: (c.verdictEvents ? flag['verdict-events'] : 0) | (c.policyCache ? flag['policy-cache'] : 0),
    }),
    fromFields: (f) => ({
      ctLifetimeTcp: f.ct_lifetime_tcp,
      ctLifetimeNonTcp: f.ct_lifetime_nontcp,
      ctLifetimeSyn: f.ct_lifetime_syn,
      ctLifetimeClose: f.ct_lifetime_close,
      eventRate: f.event_rate,
      eventBurst: f.event_burst,
      verdictEvents: (f.flags & flag['verdict-events']) !== 0,
      policyCache: (f.flags & flag['policy-cache']) !== 0,
    }),
  },
);
