import type { Direction, PolicyValue, Verdict } from '../../desired/desired-state.js';
import { DIRECTION, POLICY_PREFIX, VERDICT } from './c-enums.js';
import { be16, enumField, pad, u16, u32, u8 } from './internal/field-types.js';
import { structCodec, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/abi/policy.h: one LPM trie, prefix over identity, endpoint
// and direction (fixed), then protocol, then port bits.
export const POLICY_FIXED_PREFIX = POLICY_PREFIX.values['fixed-prefix'];
export const POLICY_FULL_PREFIX = POLICY_PREFIX.values['full-prefix'];

export const DIRECTION_CODES: Readonly<Record<Direction, number>> = DIRECTION.values;
export const VERDICT_CODES: Readonly<Record<Verdict, number>> = {
  allow: VERDICT.values.allow,
  deny: VERDICT.values.deny,
  redirect: VERDICT.values.redirect,
};

export type PolicyKey = Pick<
  PolicyValue,
  'endpointId' | 'direction' | 'identity' | 'protocol' | 'port' | 'portPrefixLen'
>;
export type PolicyMapValue = Pick<PolicyValue, 'verdict' | 'proxyPort' | 'ruleId'>;

export class PolicyEntryError extends Error {
  readonly code = 'INVALID_POLICY_ENTRY';
}

/**
 * Canonical form: protocol 0 matches any protocol and port (port 0, prefix
 * 0); port bits beyond the prefix are cleared, so one match has one key.
 */
export function canonicalPolicyKey(k: PolicyKey): PolicyKey {
  if (k.portPrefixLen < 0 || k.portPrefixLen > 16 || !Number.isInteger(k.portPrefixLen)) {
    throw new PolicyEntryError(`port prefix length out of 0..16: ${k.portPrefixLen}`);
  }
  if (k.protocol === 0) return { ...k, port: 0, portPrefixLen: 0 };
  const mask = k.portPrefixLen === 0 ? 0 : (0xffff << (16 - k.portPrefixLen)) & 0xffff;
  return { ...k, port: k.port & mask };
}

export const policyKeyCodec: Codec<PolicyKey> = structCodec(
  'gw_policy_key',
  {
    prefixlen: u32,
    identity: u32,
    endpoint_id: u16,
    direction: enumField(DIRECTION),
    protocol: u8,
    dport: be16,
    pad0: pad(2),
  },
  {
    toFields(key) {
      const k = canonicalPolicyKey(key);
      return {
        prefixlen: k.protocol === 0 ? POLICY_FIXED_PREFIX : POLICY_FIXED_PREFIX + 8 + k.portPrefixLen,
        identity: k.identity,
        endpoint_id: k.endpointId,
        direction: k.direction,
        protocol: k.protocol,
        dport: k.port,
      };
    },
    fromFields: (f) => ({
      endpointId: f.endpoint_id,
      direction: f.direction ?? 'ingress',
      identity: f.identity,
      protocol: f.protocol,
      port: f.dport,
      portPrefixLen: Math.max(0, f.prefixlen - POLICY_FIXED_PREFIX - 8),
    }),
  },
);

export const policyValueCodec: Codec<PolicyMapValue> = structCodec(
  'gw_policy_value',
  {
    verdict: enumField(VERDICT),
    pad0: pad(1),
    proxy_port: u16,
    rule_id: u32,
  },
  {
    toFields: (v) => ({ verdict: v.verdict, proxy_port: v.proxyPort, rule_id: v.ruleId }),
    fromFields(f) {
      if (f.verdict === null || f.verdict === 'none')
        throw new PolicyEntryError('policy entry without an allow, deny or redirect verdict');
      return { verdict: f.verdict, proxyPort: f.proxy_port, ruleId: f.rule_id };
    },
  },
);

export function policyFromMap(key: Buffer, value: Buffer): PolicyValue {
  return { ...policyKeyCodec.decode(key), ...policyValueCodec.decode(value) };
}
