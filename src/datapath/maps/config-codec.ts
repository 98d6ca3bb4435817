import { structLayout, type Codec } from './internal/struct-layout.js';

// Mirrors struct gw_config in bpf/include/config.h: the endpoint program's .rodata.
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

const CFG_VERDICT_EVENTS = 1;
const CFG_POLICY_CACHE = 2;

export const configCodec: Codec<EndpointProgramConfig> = {
  ...structLayout('gw_config', [
    ['ct_lifetime_tcp', 'u32'],
    ['ct_lifetime_nontcp', 'u32'],
    ['ct_lifetime_syn', 'u32'],
    ['ct_lifetime_close', 'u32'],
    ['event_rate', 'u32'],
    ['event_burst', 'u32'],
    ['flags', 'u32'],
    ['pad0', 'u32'],
  ]),
  encode(c) {
    const b = Buffer.alloc(32);
    [c.ctLifetimeTcp, c.ctLifetimeNonTcp, c.ctLifetimeSyn, c.ctLifetimeClose, c.eventRate, c.eventBurst].forEach(
      (v, i) => b.writeUInt32LE(v, i * 4),
    );
    b.writeUInt32LE((c.verdictEvents ? CFG_VERDICT_EVENTS : 0) | (c.policyCache ? CFG_POLICY_CACHE : 0), 24);
    return b;
  },
  decode(b, o = 0) {
    return {
      ctLifetimeTcp: b.readUInt32LE(o),
      ctLifetimeNonTcp: b.readUInt32LE(o + 4),
      ctLifetimeSyn: b.readUInt32LE(o + 8),
      ctLifetimeClose: b.readUInt32LE(o + 12),
      eventRate: b.readUInt32LE(o + 16),
      eventBurst: b.readUInt32LE(o + 20),
      verdictEvents: (b.readUInt32LE(o + 24) & CFG_VERDICT_EVENTS) !== 0,
      policyCache: (b.readUInt32LE(o + 24) & CFG_POLICY_CACHE) !== 0,
    };
  },
};
