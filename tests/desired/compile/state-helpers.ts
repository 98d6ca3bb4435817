import type { DesiredState, EndpointValue, PolicyValue } from '../../../src/desired/desired-state.js';

export function endpointOf(state: DesiredState, key: string): EndpointValue {
  const e = state.resources.endpoint.find((x) => x.key === key);
  if (!e) throw new Error(`no endpoint ${key} on ${state.node}`);
  return e.value;
}

export function identityOf(state: DesiredState, ipOrKey: string): number {
  const ep = state.resources.endpoint.find((x) => x.key === ipOrKey);
  if (ep) return ep.value.identity;
  const ip = state.resources.ipcache.find((x) => x.key === ipOrKey || x.key === `${ipOrKey}/32`);
  if (!ip) throw new Error(`no identity for ${ipOrKey}`);
  return ip.value.identity;
}

/** Policy entries of one endpoint as compact `dir id proto port/len verdict` strings, in plain string order. */
export function rulesOf(state: DesiredState, key: string, direction?: 'ingress' | 'egress'): string[] {
  const id = endpointOf(state, key).id;
  return policiesOf(state, key, direction)
    .map((v) => {
      if (v.endpointId !== id) throw new Error('unreachable');
      return `${v.direction} ${v.identity} ${v.protocol} ${v.port}/${v.portPrefixLen} ${v.verdict}`;
    })
    .sort();
}

export function policiesOf(state: DesiredState, key: string, direction?: 'ingress' | 'egress'): PolicyValue[] {
  const id = endpointOf(state, key).id;
  return state.resources.policy
    .map((e) => e.value)
    .filter((v) => v.endpointId === id && (direction === undefined || v.direction === direction));
}

/** Would the datapath let this packet through? Implements its fixed lookup contract, for end-to-end checks. */
export function verdictFor(
  state: DesiredState,
  key: string,
  direction: 'ingress' | 'egress',
  peer: number,
  protocol: number,
  port: number,
): 'allow' | 'deny' | 'redirect' | 'drop' | 'pass' {
  const ep = endpointOf(state, key);
  const entries = policiesOf(state, key, direction);
  const lookup = (identity: number) => {
    let best: PolicyValue | null = null;
    let bestLen = -1;
    for (const v of entries) {
      if (v.identity !== identity) continue;
      if (v.protocol !== 0 && v.protocol !== protocol) continue;
      const shift = 16 - v.portPrefixLen;
      if (v.protocol !== 0 && port >>> shift !== v.port >>> shift) continue;
      const len = v.protocol === 0 ? 0 : 8 + v.portPrefixLen;
      if (len > bestLen) {
        best = v;
        bestLen = len;
      }
    }
    return best;
  };
  const hits = [lookup(peer), lookup(0)].filter((v): v is PolicyValue => v !== null);
  if (hits.some((v) => v.verdict === 'deny')) return 'deny';
  const ok = hits.find((v) => v.verdict !== 'deny');
  if (ok) return ok.verdict;
  const enforced = direction === 'ingress' ? ep.enforceIngress : ep.enforceEgress;
  return enforced ? 'drop' : 'pass';
}
