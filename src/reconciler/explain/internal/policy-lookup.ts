import type { DesiredState, Direction, PolicyValue } from '../../../desired/index.js';

/** What the packet carries into the policy trie: IP protocol and port (ICMP: the type). */
export interface PolicyPacket {
  readonly protocol: number;
  readonly port: number;
}

/** The decision of bpf/lib/policy.h policy_decide(): the entry that wins, or null when none matched. */
export function policyDecide(
  state: DesiredState,
  endpointId: number,
  direction: Direction,
  peer: number,
  pkt: PolicyPacket,
): PolicyValue | null {
  const byPeer = lookup(state, endpointId, direction, peer, pkt);
  const byAny = lookup(state, endpointId, direction, 0, pkt);
  if (byPeer?.verdict === 'deny') return byPeer;
  if (byAny?.verdict === 'deny') return byAny;
  return byPeer ?? byAny;
}

/**
 * One full-length LPM lookup (bpf/include/abi/policy.h): identity, endpoint
 * and direction match exactly; then the longest of protocol-any or protocol
 * plus a port prefix wins, so exactly one entry answers.
 */
function lookup(
  state: DesiredState,
  endpointId: number,
  direction: Direction,
  identity: number,
  pkt: PolicyPacket,
): PolicyValue | null {
  let best: PolicyValue | null = null;
  let bestLen = -1;
  for (const { value: v } of state.resources.policy) {
    if (v.endpointId !== endpointId || v.direction !== direction || v.identity !== identity) continue;
    const len = v.protocol === 0 ? 0 : 8 + v.portPrefixLen;
    if (v.protocol !== 0 && (v.protocol !== pkt.protocol || !portMatches(v.port, v.portPrefixLen, pkt.port))) continue;
    if (len > bestLen) {
      best = v;
      bestLen = len;
    }
  }
  return best;
}

function portMatches(port: number, prefixLen: number, actual: number): boolean {
  const shift = 16 - prefixLen;
  return prefixLen === 0 || port >>> shift === actual >>> shift;
}
