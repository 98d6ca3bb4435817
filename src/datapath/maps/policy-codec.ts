import type { Direction, PolicyValue, Verdict } from '../../desired/desired-state.js';
import { structLayout, type Codec } from './internal/struct-layout.js';

// Mirrors bpf/include/policy.h: one LPM trie, prefix over identity, endpoint
// and direction (fixed), then protocol, then port bits.
export const POLICY_FIXED_PREFIX = 56;
export const POLICY_FULL_PREFIX = 80;

export const DIRECTION_CODES: Readonly<Record<Direction, number>> = { ingress: 0, egress: 1 };
export const VERDICT_CODES: Readonly<Record<Verdict, number>> = { allow: 1, deny: 2, redirect: 3 };

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

export const policyKeyCodec: Codec<PolicyKey> = {
  ...structLayout('gw_policy_key', [
    ['prefixlen', 'u32'],
    ['identity', 'u32'],
    ['endpoint_id', 'u16'],
    ['direction', 'u8'],
    ['protocol', 'u8'],
    ['dport', 'be16'],
    ['pad0', 'u8', 2],
  ]),
  encode(key) {
    const k = canonicalPolicyKey(key);
    const b = Buffer.alloc(16);
    b.writeUInt32LE(k.protocol === 0 ? POLICY_FIXED_PREFIX : POLICY_FIXED_PREFIX + 8 + k.portPrefixLen, 0);
    b.writeUInt32LE(k.identity, 4);
    b.writeUInt16LE(k.endpointId, 8);
    b[10] = DIRECTION_CODES[k.direction];
    b[11] = k.protocol;
    b.writeUInt16BE(k.port, 12);
    return b;
  },
  decode(b, o = 0) {
    const prefixlen = b.readUInt32LE(o);
    return {
      endpointId: b.readUInt16LE(o + 8),
      direction: b[o + 10] === DIRECTION_CODES.egress ? 'egress' : 'ingress',
      identity: b.readUInt32LE(o + 4),
      protocol: b[o + 11]!,
      port: b.readUInt16BE(o + 12),
      portPrefixLen: Math.max(0, prefixlen - POLICY_FIXED_PREFIX - 8),
    };
  },
};

const VERDICT_NAMES: Readonly<Record<number, Verdict>> = { 1: 'allow', 2: 'deny', 3: 'redirect' };

export const policyValueCodec: Codec<PolicyMapValue> = {
  ...structLayout('gw_policy_value', [
    ['verdict', 'u8'],
    ['pad0', 'u8'],
    ['proxy_port', 'u16'],
    ['rule_id', 'u32'],
  ]),
  encode(v) {
    const b = Buffer.alloc(8);
    b[0] = VERDICT_CODES[v.verdict];
    b.writeUInt16LE(v.proxyPort, 2);
    b.writeUInt32LE(v.ruleId, 4);
    return b;
  },
  decode(b, o = 0) {
    const verdict = VERDICT_NAMES[b[o]!];
    if (!verdict) throw new PolicyEntryError(`unknown verdict code ${b[o]}`);
    return { verdict, proxyPort: b.readUInt16LE(o + 2), ruleId: b.readUInt32LE(o + 4) };
  },
};

export function policyFromMap(key: Buffer, value: Buffer): PolicyValue {
  return { ...policyKeyCodec.decode(key), ...policyValueCodec.decode(value) };
}
